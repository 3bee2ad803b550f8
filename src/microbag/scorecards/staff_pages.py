"""Staff pages of scorecards: the standings with their metrics, trend per quarter and
reasons; the ranking of suppliers for a SKU, a style, a bag type or a capability with
the weights used and how stable the ranking is when each weight moves by 10 %."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from microbag.catalog.policies import BAG_TYPES
from microbag.config import get_settings
from microbag.errors import DomainError
from microbag.scorecards import policies, ranking, service, topsis
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PortalDb, StaffUser
from microbag.web.staff import FormErrors, staff_page

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

Text = Annotated[str, Query(max_length=64)]


def _percent(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value * 100:.{digits}f}%"


def metric_text(metric: str, value: float | None) -> str:
    """A metric's raw value as the tables show it."""
    if value is None:
        return "–"
    if metric in ("on_time", "in_full"):
        return _percent(value)
    if metric == "defect_rate":
        return _percent(value, 1)
    if metric == "lead_time_spread":
        return f"±{value:.1f} d"
    if metric == "response_hours":
        return f"{value:.0f} h"
    if metric == "price":
        return f"{value:.2f}×"
    if metric in ("capacity_units", "moq"):
        return f"{value:,.0f}"
    if metric == "lead_time_days":
        return f"{value:.0f} d"
    return f"{value:.0f}"


@router.get("/staff/scorecards")
def scorecards_page(request: Request, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        cards = service.scorecards(session)
    return staff_page(
        request,
        user,
        "staff/scorecards.html",
        {
            "title": "Supplier scorecards",
            "cards": cards,
            "metrics": policies.METRICS,
            "record_metrics": policies.RECORD_METRICS,
            "labels": policies.METRIC_LABELS,
            "bands": policies.BANDS,
            "min_lines": policies.MIN_DELIVERED_LINES,
            "half_life": get_settings().scorecard_half_life_days,
            "periods": [p.period.label for p in cards[0].periods] if cards else [],
            "metric_text": metric_text,
        },
        section="scorecards",
    )


@router.get("/staff/scorecards/ranking")
def ranking_page(
    request: Request,
    user: StaffUser,
    db: PortalDb,
    sku: Text = "",
    style: Text = "",
    bag_type: Text = "",
    capability: Text = "",
) -> Response:
    values = {
        "sku": sku.strip(),
        "style": style.strip(),
        "bag_type": bag_type.strip(),
        "capability": capability.strip(),
    }
    errors = FormErrors()
    result = None
    with db.session() as session:
        try:
            result = ranking.ranking(
                session,
                sku=values["sku"] or None,
                style=values["style"] or None,
                bag_type=values["bag_type"] or None,
                capability=values["capability"] or None,
            )
        except DomainError as exc:
            for item in exc.items:
                errors.add(item.field or item.code.removeprefix("unknown_"), item.message)
    return staff_page(
        request,
        user,
        "staff/scorecards_ranking.html",
        {
            "title": "Supplier ranking",
            "values": values,
            "errors": errors,
            "result": result,
            "bag_types": [(b, b) for b in BAG_TYPES],
            "column_labels": {c: label for c, (label, _) in topsis.COLUMNS.items()},
            "column_benefit": {c: benefit for c, (_, benefit) in topsis.COLUMNS.items()},
            "column_criterion": topsis.COLUMN_CRITERION,
            "metric_text": metric_text,
        },
        section="scorecards",
        status_code=422 if errors else 200,
    )
