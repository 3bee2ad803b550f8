"""Suggested orders for a buyer company: orderable SKUs only, quantities under the buying
rules, linked customer history, sending, and turning a suggestion into a cart or quote.

Functions take a Session and never commit. The ranking is the engine's
(``suggestions.engine``); this module decides what the company may be offered
(``orderable``), how many units (``quantities``) and keeps every reason in words.
Other packages' tables are read through their services only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from microbag.buyers.service import available_credit_for, get_company
from microbag.catalog.service import active_skus
from microbag.compliance.service import market_documents
from microbag.errors import DomainError, ErrorItem
from microbag.history.service import history_version
from microbag.knowledge.service import effective_knowledge
from microbag.pricing.policies import SkuTerms
from microbag.pricing.service import listed_sku_ids, price_list_for_company, terms_for
from microbag.stock.service import available_by_sku, incoming_until
from microbag.suggestions import orderable
from microbag.suggestions import service as engine_service
from microbag.suggestions.engine import BuyerProfile, Suggestion, SuggestionModel
from microbag.suggestions.models import CustomerLink
from microbag.suggestions.quantities import LineTerms, OrderPlan, plan_quantities
from microbag.timeutil import utcnow

MAX_TOP = 100
MAX_HORIZON_WEEKS = 52
MODEL_TTL_SECONDS = 300.0
MAX_CUSTOMER_REF = 64


class RankingModel(Protocol):
    """What this module needs of ``engine.SuggestionModel`` (tests pass a small stand-in)."""

    def suggest(
        self,
        buyer_ref: str,
        top_k: int,
        *,
        also_refs: Sequence[str] = (),
        allowed: Collection[str] | None = None,
        profile: BuyerProfile | None = None,
        horizon_weeks: int = 8,
    ) -> list[Suggestion]: ...


def company_buyer_ref(company_id: int) -> str:
    """The buyer reference of a company's own orders in the sales history (its id)."""
    return str(company_id)


# ---- the engine's model, fitted once per process while the history stays the same ---------------

_model_lock = threading.Lock()
_models: dict[str, tuple[float, tuple[int, int], RankingModel]] = {}


def fit_model(session: Session) -> RankingModel:
    """The engine fitted on the whole history, with its default blend weights.

    Learning the weights (``engine.learn_weights``: a second fit at an earlier cut and a
    regression) took about a minute on the demo data on a busy machine, against half a
    second without: right for ``microbag plan suggestions`` and the bench, not for the
    first page view after an order.
    """
    purchases, profiles, last = engine_service.load_purchases(session)
    if last is None:
        raise engine_service.NoHistory()
    return SuggestionModel.fit(
        purchases, profiles, last, knowledge=effective_knowledge(session), learn=False
    )


def model_for(session: Session) -> RankingModel:
    """The fitted engine for this database: refitted when the history changed (a new
    import or order) or after ``MODEL_TTL_SECONDS``, not on every page view."""
    key = str(session.get_bind().engine.url)
    version = history_version(session)
    with _model_lock:
        cached = _models.get(key)
    if (
        cached is not None
        and cached[1] == version
        and time.monotonic() - cached[0] < MODEL_TTL_SECONDS
    ):
        return cached[2]
    model = fit_model(session)
    with _model_lock:
        _models[key] = (time.monotonic(), version, model)
    return model


def forget_models() -> None:
    with _model_lock:
        _models.clear()


# ---- what a company may order -------------------------------------------------------------------


@dataclass(frozen=True)
class Orderable:
    """An orderable SKU with what binds its quantity and what a line shows of it."""

    sku_id: int
    code: str
    name: str
    color: str
    material: str
    available: int
    incoming: int
    terms: SkuTerms


@dataclass
class Eligibility:
    allowed: dict[str, Orderable] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)  # code -> why not
    inactive: int = 0  # listed SKUs not on sale
    currency: str = ""
    minimum_minor: int = 0
    price_list_id: int | None = None


def eligibility(
    session: Session,
    company_id: int,
    *,
    today: date,
    last_day: date,
    required_documents: Mapping[str, Sequence[str]] | None = None,
) -> Eligibility:
    """Which SKUs of the company's price list it may order for a period ending ``last_day``."""
    company = get_company(session, company_id)
    price_list = price_list_for_company(session, company)
    result = Eligibility(currency=company.currency)
    if price_list is None:
        return result
    result.currency = price_list.currency
    result.minimum_minor = price_list.min_order_value_minor
    result.price_list_id = price_list.id
    listed = listed_sku_ids(session, price_list.id)
    active = active_skus(session, listed)
    terms = terms_for(session, price_list, active)
    result.inactive = len(set(listed)) - len(active)
    available = available_by_sku(session, active)
    incoming = incoming_until(session, active, today, last_day)
    documents = market_documents(session, active, company.region)
    required = orderable.required_kinds(company.region, required_documents)
    for sku in active.values():
        if sku.id not in terms:  # an item without price tiers cannot be priced
            result.excluded[sku.code] = orderable.NOT_ON_PRICE_LIST
            continue
        why = orderable.supply_blocker(
            available.get(sku.id, 0), incoming.get(sku.id, 0), last_day
        ) or orderable.compliance_blocker(documents.get(sku.id, []), today, required)
        if why is not None:
            result.excluded[sku.code] = why
            continue
        result.allowed[sku.code] = Orderable(
            sku.id,
            sku.code,
            sku.name,
            sku.color,
            sku.material,
            available.get(sku.id, 0),
            incoming.get(sku.id, 0),
            terms[sku.id],
        )
    return result


# ---- the suggestion ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestionParams:
    top: int = 20
    horizon_weeks: int = 8
    budget_minor: int | None = None

    def errors(self) -> list[ErrorItem]:
        errors = []
        if not 1 <= self.top <= MAX_TOP:
            errors.append(ErrorItem("invalid_top", f"top is 1 to {MAX_TOP}", field="top"))
        if not 1 <= self.horizon_weeks <= MAX_HORIZON_WEEKS:
            errors.append(
                ErrorItem(
                    "invalid_horizon",
                    f"horizon_weeks is 1 to {MAX_HORIZON_WEEKS}",
                    field="horizon_weeks",
                )
            )
        if self.budget_minor is not None and self.budget_minor < 0:
            errors.append(
                ErrorItem("invalid_budget", "the budget cannot be negative", field="budget_minor")
            )
        return errors


@dataclass(frozen=True)
class SuggestedLine:
    rank: int
    sku: str
    name: str
    color: str
    material: str
    units: int
    wanted: int
    unit_price_minor: int
    basis: str  # "data" or "prior"
    reasons: tuple[str, ...]  # the engine's, in words
    rules: tuple[str, ...]  # the quantity rules applied, in words
    available: int
    incoming: int

    @property
    def total_minor(self) -> int:
        return self.units * self.unit_price_minor


@dataclass(frozen=True)
class LeftOut:
    sku: str
    reason: str


@dataclass(frozen=True)
class CompanySuggestion:
    company_id: int
    company_name: str
    currency: str
    horizon_weeks: int
    ships_by: date
    lines: tuple[SuggestedLine, ...]
    left_out: tuple[LeftOut, ...]  # ranked but dropped by the quantity rules
    not_orderable: int  # SKUs of the price list the company cannot order now
    blocked: tuple[LeftOut, ...]  # those on sale but not orderable, and why (staff see it)
    total_minor: int
    minimum_minor: int
    below_minimum: bool
    cap_minor: int | None
    cap_kind: str | None
    notes: tuple[str, ...]
    linked_refs: tuple[str, ...]


def linked_refs(session: Session, company_id: int) -> list[str]:
    return list(
        session.scalars(
            select(CustomerLink.customer_ref)
            .where(CustomerLink.company_id == company_id)
            .order_by(CustomerLink.customer_ref)
        )
    )


def suggest_for_company(
    session: Session,
    company_id: int,
    params: SuggestionParams = SuggestionParams(),
    *,
    model: RankingModel | None = None,
    today: date | None = None,
    required_documents: Mapping[str, Sequence[str]] | None = None,
) -> CompanySuggestion:
    """The company's suggested order for the next ``horizon_weeks`` (see the module doc)."""
    errors = params.errors()
    if errors:
        raise DomainError(errors)
    company = get_company(session, company_id)
    today = today or utcnow().date()
    last_day = orderable.ships_by(today, params.horizon_weeks)
    elig = eligibility(
        session, company_id, today=today, last_day=last_day, required_documents=required_documents
    )
    refs = linked_refs(session, company_id)
    picks: list[Suggestion] = []
    ranking: RankingModel | None = None
    history_notes: list[str] = []
    if elig.allowed:
        try:
            ranking = model if model is not None else model_for(session)
        except DomainError as exc:
            if exc.items[0].code != "no_history":
                raise
            ranking = None
            history_notes.append(
                "No sales history to suggest from yet: suggestions start with the first "
                "orders, or staff link an imported customer to this company"
            )
    if ranking is not None:
        picks = ranking.suggest(
            company_buyer_ref(company_id),
            params.top,
            also_refs=refs,
            allowed=set(elig.allowed),
            profile=BuyerProfile(company_buyer_ref(company_id), company.region, company.segment),
            horizon_weeks=params.horizon_weeks,
        )
        # The engine is told what is allowed; this keeps the promise even if it were not.
        picks = [p for p in picks if p.sku in elig.allowed]
    line_terms = []
    for pick in picks:
        item = elig.allowed[pick.sku]
        t = item.terms
        line_terms.append(
            LineTerms(
                pick.sku,
                max(pick.units, 1),
                t.moq,
                t.case_pack,
                t.tiers,
                supply=item.available + item.incoming,
            )
        )
    credit = None if company.is_prepaid else available_credit_for(session, company)
    plan = plan_quantities(
        line_terms,
        currency=elig.currency,
        minimum_order_minor=elig.minimum_minor,
        budget_minor=params.budget_minor,
        credit_minor=credit,
        locale=company.locale,
    )
    return _assemble(
        company_id, company.name, params, last_day, picks, elig, plan, refs, history_notes
    )


def _with_incoming(
    rules: tuple[str, ...], units: int, available: int, last_day: date
) -> tuple[str, ...]:
    """Say so when part of a line is not in stock yet (placing takes stock on hand only)."""
    if units <= available:
        return rules
    return (*rules, f"{available} in stock now; the rest arrives by {last_day.isoformat()}")


def _assemble(
    company_id: int,
    company_name: str,
    params: SuggestionParams,
    last_day: date,
    picks: Sequence[Suggestion],
    elig: Eligibility,
    plan: OrderPlan,
    refs: Sequence[str],
    history_notes: Sequence[str] = (),
) -> CompanySuggestion:
    by_sku = {p.sku: p for p in picks}
    lines = []
    for rank, planned in enumerate(plan.lines, start=1):
        pick = by_sku[planned.sku]
        item = elig.allowed[planned.sku]
        lines.append(
            SuggestedLine(
                rank=rank,
                sku=planned.sku,
                name=item.name,
                color=item.color,
                material=item.material,
                units=planned.units,
                wanted=planned.wanted,
                unit_price_minor=planned.unit_price_minor,
                basis=pick.basis,
                reasons=tuple(pick.reasons),
                rules=_with_incoming(planned.rules, planned.units, item.available, last_day),
                available=item.available,
                incoming=item.incoming,
            )
        )
    notes = [*history_notes, *plan.notes]
    if elig.price_list_id is None:
        notes.insert(0, "No price list applies to this company yet: nothing can be suggested")
    elif not elig.allowed:
        notes.insert(0, "Nothing on the price list can be ordered for this period")
    return CompanySuggestion(
        company_id=company_id,
        company_name=company_name,
        currency=elig.currency,
        horizon_weeks=params.horizon_weeks,
        ships_by=last_day,
        lines=tuple(lines),
        left_out=tuple(LeftOut(d.sku, d.reason) for d in plan.dropped),
        not_orderable=len(elig.excluded) + elig.inactive,
        blocked=tuple(LeftOut(code, why) for code, why in sorted(elig.excluded.items())),
        total_minor=plan.total_minor,
        minimum_minor=plan.minimum_minor,
        below_minimum=plan.below_minimum,
        cap_minor=plan.cap_minor,
        cap_kind=plan.cap_kind,
        notes=tuple(notes),
        linked_refs=tuple(refs),
    )
