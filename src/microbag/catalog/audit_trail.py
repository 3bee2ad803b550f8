"""What the audit log keeps of catalog edits: a style's and a SKU's audited fields, and
one call that records a change (``audit.service.record``) for the catalog's use cases."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.audit import service as audit
from microbag.catalog.models import Sku, Style

# The fields staff edit on a style (the audit log compares these, with code and lifecycle).
STYLE_COLUMNS = (
    "name",
    "description",
    "bag_type",
    "width_mm",
    "height_mm",
    "depth_mm",
    "weight_g",
    "holds",
    "phone_max_mm",
    "lining",
    "price_tier",
    "season",
    "is_limited_edition",
    "drop_date",
    "edition_size",
    "images",
)


def style_fields(style: Style) -> dict[str, object]:
    fields = {c: getattr(style, c) for c in ("code", "lifecycle", "size_class", *STYLE_COLUMNS)}
    return fields | {"occasions": sorted(o.occasion for o in style.occasions)}


def sku_fields(sku: Sku) -> dict[str, object]:
    fields = {c: getattr(sku, c) for c in ("code", "color", "material", "hardware", "lifecycle")}
    return fields | {"retail_price": (sku.attributes or {}).get("retail_price")}


def audit_change(
    session: Session,
    who: tuple[Principal | None, str],
    entity: str,
    entity_id: int | str,
    action: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object],
) -> None:
    """Record a catalog change; ``who`` is the actor and, without one, the CLI's label."""
    actor, label = who
    audit.record(
        session,
        actor,
        entity=entity,
        entity_id=str(entity_id),
        action=action,
        before=before,
        after=after,
        actor_label=label,
    )
