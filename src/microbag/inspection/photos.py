"""Inspection photos: JPEG, PNG or WebP, of an inspection or one of its defects, kept in
the database. The size is bounded before the bytes are read (callers read at most
``photo_max_bytes() + 1``), and the bytes decide the type: Pillow must open and verify
them as one of the three formats, whatever the file's name or declared type says.
Functions take a Session and never commit.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Sequence

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, undefer

from microbag.config import get_settings
from microbag.errors import Conflict, DomainError, ErrorItem, NotFound
from microbag.inspection.models import InspectionPhoto
from microbag.inspection.service import get_inspection

MAX_PHOTOS_PER_INSPECTION = 30
# A photo's pixels, checked before it is decoded any further (a small file can declare
# a huge canvas).
MAX_PHOTO_PIXELS = 50_000_000
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def photos_for(session: Session, inspection_ids: Sequence[int]) -> dict[int, list[InspectionPhoto]]:
    """Photos per inspection (without their bytes)."""
    out: dict[int, list[InspectionPhoto]] = {i: [] for i in inspection_ids}
    if not inspection_ids:
        return out
    for photo in session.scalars(
        select(InspectionPhoto)
        .where(InspectionPhoto.inspection_id.in_(inspection_ids))
        .order_by(InspectionPhoto.id)
    ):
        out[photo.inspection_id].append(photo)
    return out


def get_photo(session: Session, photo_id: int) -> InspectionPhoto:
    photo = session.scalars(
        select(InspectionPhoto)
        .where(InspectionPhoto.id == photo_id)
        .options(undefer(InspectionPhoto.data))
    ).first()
    if photo is None:
        raise NotFound("photo", "unknown_photo")
    return photo


# ---- photos ------------------------------------------------------------------------------------


def photo_max_bytes() -> int:
    return get_settings().inspection_photo_max_bytes


def _photo_format(data: bytes) -> str | None:
    """JPEG, PNG or WebP when Pillow reads ``data`` as a whole, sane image; else None."""
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning is a refusal here, not a log line.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                width, height = img.size
                if fmt not in PHOTO_FORMATS or width * height > MAX_PHOTO_PIXELS:
                    return None
                img.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        return None
    return fmt


def _photo_filename(filename: str | None, content_type: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?').strip()
    if not name or name.startswith("."):
        name = f"photo.{PHOTO_EXTENSIONS[content_type]}"
    return name[:200]


def add_photo(
    session: Session,
    inspection_id: int,
    *,
    filename: str | None,
    content_type: str | None,
    data: bytes,
    defect_id: int | None = None,
) -> InspectionPhoto:
    """Attach a photo (JPEG, PNG or WebP; at most ``inspection_photo_max_bytes``) to an
    inspection, optionally to one of its defects. The bytes decide the type: the file
    must open in Pillow as one of the three formats, whatever its name says. Callers
    read at most max + 1 bytes, so a larger upload is refused without being held."""
    limit = photo_max_bytes()
    if len(data) > limit:
        raise DomainError(
            ErrorItem(
                "photo_too_large",
                f"photos may be at most {limit / (1024 * 1024):.1f} MB",
                field="file",
            ),
            413,
        )
    if not data:
        raise DomainError(ErrorItem("empty_file", "the photo is empty", field="file"))
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared and declared not in PHOTO_EXTENSIONS and declared != "application/octet-stream":
        raise DomainError(
            ErrorItem(
                "unsupported_photo_type",
                f"photos must be JPEG, PNG or WebP, not {declared}",
                field="file",
            )
        )
    fmt = _photo_format(data)
    if fmt is None:
        raise DomainError(
            ErrorItem(
                "not_an_image",
                "the file is not a readable JPEG, PNG or WebP image",
                field="file",
            )
        )
    inspection = get_inspection(session, inspection_id)
    if defect_id is not None and defect_id not in {d.id for d in inspection.defects}:
        raise DomainError(
            ErrorItem(
                "unknown_defect",
                f"defect {defect_id} is not one of inspection {inspection_id}'s",
                field="defect_id",
            )
        )
    count = session.scalar(
        select(func.count(InspectionPhoto.id)).where(InspectionPhoto.inspection_id == inspection_id)
    )
    if (count or 0) >= MAX_PHOTOS_PER_INSPECTION:
        raise Conflict(
            "too_many_photos", f"an inspection holds at most {MAX_PHOTOS_PER_INSPECTION} photos"
        )
    ctype = PHOTO_FORMATS[fmt]
    photo = InspectionPhoto(
        inspection_id=inspection_id,
        defect_id=defect_id,
        filename=_photo_filename(filename, ctype),
        content_type=ctype,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
    )
    session.add(photo)
    session.flush()
    return photo
