"""API schemas of supplier scorecards, standings and rankings."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from microbag.scorecards.ranking import Ranking
from microbag.scorecards.service import Scorecard, Standing


class StandingOut(BaseModel):
    level: str = Field(description="excellent | good | fair | poor | very_poor | unrated")
    score: float | None = Field(description="Overall score 0..100 (None: unrated)")
    reason: str = Field(description="The reason in plain words")
    blocks_purchase_orders: bool
    warns: bool

    @classmethod
    def of(cls, s: Standing) -> StandingOut:
        return cls(
            level=s.level,
            score=s.score,
            reason=s.reason,
            blocks_purchase_orders=s.blocks,
            warns=s.warns,
        )


class PeriodOut(BaseModel):
    period: str = Field(description="e.g. 2026-Q4")
    start: date
    end: date
    weight: float = Field(description="Fading weight of the period (1 = current)")
    delivered_lines: int
    lines_due: int
    units_inspected: int
    values: dict[str, float | None] = Field(
        description="on_time, in_full (shares), defect_rate (share), lead_time_spread "
        "(days), response_hours"
    )
    scores: dict[str, float | None] = Field(description="The same metrics as 0..100 scores")


class ScorecardOut(BaseModel):
    supplier_id: int
    code: str
    name: str
    country: str
    kind: str
    active: bool
    standing: StandingOut
    values: dict[str, float | None] = Field(
        description="Faded record metrics and today's price (ratio to others' landed cost), "
        "customization and certifications (0..100)"
    )
    scores: dict[str, float | None]
    weights: dict[str, float] = Field(description="Each metric's share of the overall score")
    delivered_lines: int
    units_inspected: int
    valid_certificate_kinds: int
    lapsed_certificate_kinds: int
    periods: list[PeriodOut]

    @classmethod
    def of(cls, c: Scorecard) -> ScorecardOut:
        return cls(
            supplier_id=c.supplier_id,
            code=c.code,
            name=c.name,
            country=c.country,
            kind=c.kind,
            active=c.active,
            standing=StandingOut.of(c.standing),
            values=c.values,
            scores=c.scores,
            weights=c.weights,
            delivered_lines=c.delivered_lines,
            units_inspected=c.units_inspected,
            valid_certificate_kinds=c.valid_certificate_kinds,
            lapsed_certificate_kinds=c.lapsed_certificate_kinds,
            periods=[
                PeriodOut(
                    period=p.period.label,
                    start=p.period.start,
                    end=p.period.end,
                    weight=round(p.weight, 4),
                    delivered_lines=p.metrics.delivered_lines,
                    lines_due=p.metrics.lines_due,
                    units_inspected=p.metrics.units_inspected,
                    values=p.metrics.raw(),
                    scores=p.scores,
                )
                for p in c.periods
            ],
        )


class RankingRowOut(BaseModel):
    rank: int
    score: float = Field(description="TOPSIS closeness to the ideal supplier, 0..1")
    supplier_id: int
    code: str
    name: str
    country: str
    standing: StandingOut
    values: dict[str, float | None] = Field(description="The TOPSIS columns (null: no data)")
    landed_unit_cost_minor: int | None = Field(description="Base currency minor units")
    moq: int | None
    lead_time_days: int | None


class MoveOut(BaseModel):
    criterion: str
    change: float = Field(description="+0.1 or -0.1: the criterion's weight times 1.1 or 0.9")
    top_changes: bool
    new_top: str = Field(description="Supplier code ranked first after the move")
    kendall_tau: float = Field(description="Rank correlation with the base ranking")


class RankingOut(BaseModel):
    target: dict[str, str]
    base_currency: str
    rows: list[RankingRowOut]
    columns: list[str]
    column_weights: dict[str, float]
    criterion_weights: dict[str, float]
    sensitivity: list[MoveOut]
    top1_stable_share: float = Field(description="Share of the moves keeping the top supplier")
    min_kendall_tau: float

    @classmethod
    def of(cls, r: Ranking) -> RankingOut:
        return cls(
            target=r.target,
            base_currency=r.base_currency,
            rows=[
                RankingRowOut(
                    rank=x.rank,
                    score=x.score,
                    supplier_id=x.supplier_id,
                    code=x.code,
                    name=x.name,
                    country=x.country,
                    standing=StandingOut.of(x.standing),
                    values=x.values,
                    landed_unit_cost_minor=x.landed_unit_cost_minor,
                    moq=x.moq,
                    lead_time_days=x.lead_time_days,
                )
                for x in r.rows
            ],
            columns=r.columns,
            column_weights=r.column_weights,
            criterion_weights=r.criterion_weights,
            sensitivity=[MoveOut(**m.__dict__) for m in r.moves],
            top1_stable_share=r.top1_stable_share,
            min_kendall_tau=r.min_kendall_tau,
        )
