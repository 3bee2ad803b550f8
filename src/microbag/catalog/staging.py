"""Checked catalog files waiting for "Import", kept in the database.

The import page checks a file (a dry run) and stages it; "Import" applies that exact
file. Staged files live in ``staged_catalog_imports``, not on the local disk of the
server that received them, so behind a load balancer the preview and the import may
be served by different app servers. A staged file belongs to the user who uploaded
it, expires after ``staged_import_ttl_seconds`` and is deleted when applied; expired
files (and a user's oldest beyond MAX_PER_USER) are swept whenever a file is staged.
Callers bound the upload's size before staging (``import_max_upload_bytes``).
Like a service, nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from microbag.catalog.models import StagedImport
from microbag.config import get_settings
from microbag.timeutil import utcnow

MAX_PER_USER = 5
MAX_FILENAME = 255
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def sweep(session: Session, now: datetime | None = None) -> int:
    """Delete every expired staged file; returns how many."""
    result = session.execute(
        delete(StagedImport).where(StagedImport.expires_at <= (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def stage(session: Session, user_id: int, data: bytes, filename: str) -> str:
    """Keep a checked file for the import step; returns its token."""
    now = utcnow()
    sweep(session, now)
    # A user keeps only their few newest staged files.
    keep = select(StagedImport.id).where(StagedImport.user_id == user_id)
    keep = keep.order_by(StagedImport.created_at.desc(), StagedImport.id.desc())
    old_ids = list(session.scalars(keep.offset(MAX_PER_USER - 1)))
    if old_ids:
        session.execute(delete(StagedImport).where(StagedImport.id.in_(old_ids)))
    token = secrets.token_urlsafe(24)
    session.add(
        StagedImport(
            token=token,
            user_id=user_id,
            filename=filename[:MAX_FILENAME],
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_at=now,
            expires_at=now + timedelta(seconds=get_settings().staged_import_ttl_seconds),
        )
    )
    session.flush()
    return token


def staged(session: Session, user_id: int, token: str) -> tuple[bytes, str] | None:
    """The staged file (data, filename) if the token is this user's and has not expired."""
    if not _TOKEN.match(token):
        return None
    row = session.execute(
        select(StagedImport.data, StagedImport.filename).where(
            StagedImport.token == token,
            StagedImport.user_id == user_id,
            StagedImport.expires_at > utcnow(),
        )
    ).first()
    return None if row is None else (bytes(row[0]), row[1])


def unstage(session: Session, user_id: int, token: str) -> None:
    session.execute(
        delete(StagedImport).where(StagedImport.token == token, StagedImport.user_id == user_id)
    )
