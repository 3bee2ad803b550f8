"""Pure rules of the audit log: what changed, what must never be stored, how it reads.

``changes`` keeps only the fields whose values differ between before and after (all of
them for a creation or a deletion), turned into plain JSON values. Secrets (password
and token hashes, passwords, API keys) are compared like any field, so a password reset
still shows that the password changed, but both sides are stored as ``REDACTED``.

Pure: no database, no web layer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum

from microbag.display_names import display_name

REDACTED = "[redacted]"
# A field is secret when its name says so: password, password_hash, token_hash, api_key...
_SECRET_NAME = re.compile(r"(password|passwd|secret|token|api_?key|_hash$|^hash$)", re.IGNORECASE)
MAX_TEXT = 2000  # a longer text value (a description) is cut, so one entry stays small
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# Who may read the log: every staff role, since merchandisers and sales answer "who
# changed this price, this count, these terms?" in their daily work. Changes of users
# and roles (who was given which access, password resets) stay the admins' alone.
AUDIT_READ_ROLES = frozenset({"admin", "merchandiser", "sales"})
ADMIN_ONLY_ENTITIES = frozenset({"user"})


def hidden_entities(role: str | None) -> frozenset[str]:
    """Entities whose entries a reader of this role does not see (None: the CLI)."""
    return frozenset() if role in (None, "admin") else ADMIN_ONLY_ENTITIES


def day_start(day: date) -> datetime:
    """Midnight UTC opening the day (date filters are UTC days)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def is_secret(field: str) -> bool:
    return bool(_SECRET_NAME.search(field))


def plain(value: object) -> JsonValue:
    """A value as JSON stores it: dates as ISO text, decimals and unknown types as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        if isinstance(value, set | frozenset):
            items.sort(key=repr)  # a set has no order; a stable one keeps diffs quiet
        return items
    return plain(str(value))


@dataclass(frozen=True)
class Changes:
    before: dict[str, JsonValue]
    after: dict[str, JsonValue]

    @property
    def empty(self) -> bool:
        return not self.before and not self.after

    def fields(self) -> list[str]:
        return sorted(set(self.before) | set(self.after))


def changes(before: Mapping[str, object] | None, after: Mapping[str, object] | None) -> Changes:
    """The changed fields only, secrets redacted. A field present on one side only
    (a creation, a deletion, a field added by an update) counts as changed; on a
    creation or deletion, empty values (None) on the only side are left out."""
    old = {str(k): plain(v) for k, v in (before or {}).items()}
    new = {str(k): plain(v) for k, v in (after or {}).items()}
    old_out: dict[str, JsonValue]
    new_out: dict[str, JsonValue]
    if before is None:
        old_out = {}
        new_out = {k: v for k, v in new.items() if v is not None}
    elif after is None:
        old_out = {k: v for k, v in old.items() if v is not None}
        new_out = {}
    else:
        changed = [
            k
            for k in old.keys() | new.keys()
            if k not in old or k not in new or _differs(old[k], new[k])
        ]
        old_out = {k: old[k] for k in changed if k in old}
        new_out = {k: new[k] for k in changed if k in new}
    return Changes(_redact(old_out), _redact(new_out))


def _differs(a: JsonValue, b: JsonValue) -> bool:
    # As JSON text: 1 and True (or [1] and [true]) are equal in Python, not in the log.
    return json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True)


def _redact(values: dict[str, JsonValue]) -> dict[str, JsonValue]:
    return {
        k: (REDACTED if is_secret(k) and v is not None else v) for k, v in sorted(values.items())
    }


def is_name(value: str) -> bool:
    """An entity or action name: a short snake_case word."""
    return bool(_NAME.match(value))


def check_name(kind: str, value: str) -> str:
    """An entity or action name: a short snake_case word (a programming error otherwise)."""
    if not _NAME.match(value):
        raise ValueError(f"audit {kind} must be a snake_case word of at most 40 characters")
    return value


def actor_text(user_email: str | None, label: str) -> str:
    """Who made the change, as the log shows it: the user's e-mail, else the label
    the CLI or a job gave, else "system"."""
    return (user_email or label.strip() or "system")[:254]


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry as the staff page and the export show it."""

    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        """The field as people read it: amounts stored in minor units say so."""
        if self.field.endswith("_minor"):
            return f"{display_name(self.field.removesuffix('_minor'))} (minor units)"
        return display_name(self.field)


def show(value: JsonValue, present: bool) -> str:
    if not present:
        return "—"
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def field_changes(
    before: Mapping[str, JsonValue], after: Mapping[str, JsonValue]
) -> list[FieldChange]:
    return [
        FieldChange(f, show(before.get(f), f in before), show(after.get(f), f in after))
        for f in sorted(set(before) | set(after))
    ]
