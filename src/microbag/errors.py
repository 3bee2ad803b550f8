"""Domain errors with stable codes, shared by the API, pages and CLI.

Every error rendered to a client has the shape
``{"errors": [{"code": ..., "message": ..., "line": ...}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorItem:
    code: str
    message: str
    line: int | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message, "line": self.line}
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass
class DomainError(Exception):
    """A rule was broken. ``status`` is the HTTP status the API answers with."""

    items: list[ErrorItem] = field(default_factory=list)
    status: int = 422

    def __init__(self, items: list[ErrorItem] | ErrorItem, status: int = 422) -> None:
        self.items = [items] if isinstance(items, ErrorItem) else list(items)
        self.status = status
        super().__init__("; ".join(i.message for i in self.items))

    @classmethod
    def single(
        cls, code: str, message: str, status: int = 422, line: int | None = None
    ) -> DomainError:
        return cls(ErrorItem(code, message, line), status)


class NotFound(DomainError):
    def __init__(self, what: str = "resource", code: str = "not_found") -> None:
        super().__init__(ErrorItem(code, f"{what} not found"), 404)


class Forbidden(DomainError):
    def __init__(self, message: str = "your role does not allow this action") -> None:
        super().__init__(ErrorItem("forbidden", message), 403)


class Unauthorized(DomainError):
    def __init__(self, message: str = "missing or invalid bearer token") -> None:
        super().__init__(ErrorItem("unauthorized", message), 401)


class Conflict(DomainError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(ErrorItem(code, message), 409)
