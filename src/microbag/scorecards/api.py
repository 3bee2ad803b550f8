"""HTTP API of scorecards (staff only; buyers never see the buying side)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from microbag.accounts.principal import Principal
from microbag.errors import NotFound
from microbag.http import READ_RESPONSES, IdPath, ReadSession, require_staff
from microbag.scorecards import ranking as ranking_use_case
from microbag.scorecards import service
from microbag.scorecards.schemas import RankingOut, ScorecardOut

router = APIRouter(tags=["scorecards"])

StaffReader = Annotated[Principal, Depends(require_staff())]
Periods = Annotated[
    int, Query(ge=1, le=12, description="How many quarters to show, up to the current one")
]
Code = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/scorecards", response_model=list[ScorecardOut], responses=READ_RESPONSES)
def list_scorecards(
    _staff: StaffReader, session: ReadSession, periods: Periods = 4
) -> list[ScorecardOut]:
    """Every supplier's scorecard (by code): metrics per quarter, the faded overall values
    and scores, the standing and its reason (all staff)."""
    return [ScorecardOut.of(c) for c in service.scorecards(session, periods=periods)]


@router.get(
    "/suppliers/{supplier_id}/scorecard", response_model=ScorecardOut, responses=READ_RESPONSES
)
def supplier_scorecard(
    supplier_id: IdPath, _staff: StaffReader, session: ReadSession, periods: Periods = 4
) -> ScorecardOut:
    """One supplier's scorecard (404 unknown_supplier)."""
    cards = service.scorecards(session, periods=periods, supplier_ids=[supplier_id])
    if not cards:
        raise NotFound("supplier", "unknown_supplier")
    return ScorecardOut.of(cards[0])


@router.get("/supplier-rankings", response_model=RankingOut, responses=READ_RESPONSES)
def supplier_ranking(
    _staff: StaffReader,
    session: ReadSession,
    sku: Code = None,
    style: Code = None,
    bag_type: Code = None,
    capability: Code = None,
) -> RankingOut:
    """Active suppliers ranked by TOPSIS for a SKU, a style (those with a price for it), a
    bag type or a capability (oem, odm, logo, packaging, a material...), weighted by the
    knowledge's supplier criteria; with the ranking's sensitivity to a 10 % move of each
    weight (all staff)."""
    return RankingOut.of(
        ranking_use_case.ranking(
            session, sku=sku, style=style, bag_type=bag_type, capability=capability
        )
    )
