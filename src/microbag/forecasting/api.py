"""HTTP API for demand forecasts (staff, read only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from microbag.accounts.principal import Principal
from microbag.forecasting import service
from microbag.forecasting.schemas import (
    BacktestOut,
    BacktestPage,
    ForecastLevel,
    ForecastOut,
    ForecastPage,
)
from microbag.http import READ_RESPONSES, Paging, ReadSession, require_staff

router = APIRouter(tags=["forecasts"])

StaffReader = Annotated[Principal, Depends(require_staff())]
UniqueId = Annotated[
    str | None, Query(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]


@router.get("/forecasts", response_model=ForecastPage, responses=READ_RESPONSES)
def list_forecasts(
    _staff: StaffReader,
    session: ReadSession,
    paging: Paging,
    level: ForecastLevel | None = None,
    unique_id: UniqueId = None,
) -> ForecastPage:
    """Weekly forecasts (mean, 80 % interval, chosen model) of the latest run.

    With ``level`` the latest run that has that level; filter one series with
    ``unique_id`` (a SKU code, ``CODE/region``, style code, bag type, region, ``total``).
    """
    rows, total, run = service.list_forecasts(
        session, level=level, unique_id=unique_id, offset=paging.offset, limit=paging.page_size
    )
    return ForecastPage(
        items=[
            ForecastOut(
                level=r.level,
                unique_id=r.unique_id,
                week_start=r.week_start,
                mean=r.mean,
                lo80=r.lo80,
                hi80=r.hi80,
                model=r.model,
            )
            for r in rows
        ],
        page=paging.page,
        page_size=paging.page_size,
        total=total,
        run_id=run.id if run else None,
        created_at=run.created_at if run else None,
        horizon=run.horizon if run else None,
        engine=run.engine if run else None,
    )


@router.get("/forecasts/backtest", response_model=BacktestPage, responses=READ_RESPONSES)
def backtest(
    _staff: StaffReader, session: ReadSession, level: ForecastLevel | None = None
) -> BacktestPage:
    """Rolling-origin backtest of the latest run: WAPE and MASE per model and horizon."""
    rows, run = service.backtest_table(session, level)
    return BacktestPage(
        items=[
            BacktestOut(
                level=r.level,
                model=r.model,
                horizon=r.horizon,
                wape=r.wape,
                mase=r.mase,
                origins=r.origins,
                chosen=r.chosen,
            )
            for r in rows
        ],
        run_id=run.id if run else None,
        created_at=run.created_at if run else None,
    )
