"""Staff pages of range plans: the form and the saved plans, one plan with its reasons,
gap, comparison with the previous season's plan and download links.

The solve runs inline under the request's time limit (at most a minute; the bench's
5,000-SKU plans take a few seconds): read transaction to solve, a short write to save.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from microbag.buyers.policies import REGIONS, SEGMENTS
from microbag.catalog.staff_pages import SkuCode
from microbag.errors import DomainError
from microbag.forecasting.calendars import SEASONS
from microbag.money import is_currency
from microbag.rangeplan import planning, service
from microbag.rangeplan.policies import PLAN_ROLES
from microbag.rangeplan.schemas import RangePlanRequest
from microbag.timeutil import utcnow
from microbag.web.csrf import verify_csrf
from microbag.web.deps import PageForbidden, PortalDb, StaffUser
from microbag.web.sessions import PortalUser
from microbag.web.staff import Form, FormErrors, PageNo, pager, parse_amount, staff_page, text

router = APIRouter(include_in_schema=False, dependencies=[Depends(verify_csrf)])

PlanId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE_SIZE = 20
FIELDS = ("season", "year", "region", "segment", "currency", "budget", "max_styles", "min_styles")


def may_plan(user: PortalUser) -> bool:
    return user.principal.role in PLAN_ROLES


def _planner(user: StaffUser) -> PortalUser:
    if not may_plan(user):
        raise PageForbidden(
            f"Your role ({user.principal.role}) may not solve range plans;"
            " that needs admin or merchandiser."
        )
    return user


Planner = Annotated[PortalUser, Depends(_planner)]


def _defaults() -> dict[str, str]:
    return {
        "season": "holiday",
        "year": str(utcnow().year),
        "region": "",
        "segment": "",
        "currency": "USD",
        "budget": "",
        "max_styles": "",
        "min_styles": "",
        "knowledge_defaults": "1",
        "time_limit": "20",
    }


def _list_page(
    request: Request,
    user: PortalUser,
    db: Any,
    page: int,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    with db.session() as session:
        plans, total = service.list_plans(session, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        rows = [(p, len(p.lines)) for p in plans]
    return staff_page(
        request,
        user,
        "staff/range_plans.html",
        {
            "title": "Range plans",
            "rows": rows,
            "pages": pager("/staff/range-plans", {}, page, total, PAGE_SIZE),
            "values": values or _defaults(),
            "errors": errors,
            "may_plan": may_plan(user),
            "seasons": [(s, s) for s in SEASONS],
            "regions": [(r, r) for r in REGIONS],
            "segments": [(s, s) for s in SEGMENTS],
        },
        section="range-plans",
        status_code=status_code,
    )


@router.get("/staff/range-plans")
def range_plans_page(request: Request, user: StaffUser, db: PortalDb, page: PageNo = 1) -> Response:
    return _list_page(request, user, db, page)


def _number(raw: str, name: str, errors: FormErrors) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors.add(name, "Enter a whole number.")
        return None


@router.post("/staff/range-plans")
def solve_plan(request: Request, user: Planner, db: PortalDb, form: Form) -> Response:
    values = {name: text(form, name, 40) for name in FIELDS}
    values["knowledge_defaults"] = "1" if text(form, "knowledge_defaults", 2) else ""
    values["time_limit"] = text(form, "time_limit", 10) or "20"
    errors = FormErrors()
    currency = values["currency"].upper() or "USD"
    budget = 0
    try:
        budget = parse_amount(values["budget"], currency)
    except ValueError as exc:
        errors.add("budget", str(exc))
    year = _number(values["year"], "year", errors)
    max_styles = _number(values["max_styles"], "max_styles", errors)
    min_styles = _number(values["min_styles"], "min_styles", errors)
    try:
        time_limit = min(60.0, max(1.0, float(values["time_limit"])))
    except ValueError:
        errors.add("time_limit", "Enter a number of seconds.")
        time_limit = 20.0
    plan_request = None
    if not errors:
        try:
            plan_request = RangePlanRequest(
                season=values["season"],
                year=year or 0,
                region=values["region"] or None,
                segment=values["segment"] or None,
                currency=currency,
                budget_minor=budget,
                max_styles=max_styles,
                min_styles=min_styles,
                knowledge_defaults=bool(values["knowledge_defaults"]),
                time_limit_s=time_limit,
            )
        except ValidationError as exc:
            errors = FormErrors.from_validation(exc)
    if plan_request is not None:
        try:
            plan_id = planning.solve_and_save(db, plan_request, user.principal.email)
        except DomainError as exc:
            errors = FormErrors.of(exc.items, FIELDS)
    if errors or plan_request is None:
        return _list_page(request, user, db, 1, values, errors, status_code=422)
    return RedirectResponse(f"/staff/range-plans/{plan_id}", status_code=303)


@router.get("/staff/range-plans/{plan_id}")
def range_plan_page(request: Request, plan_id: PlanId, user: StaffUser, db: PortalDb) -> Response:
    with db.session() as session:
        plan = service.get_plan(session, plan_id)
        comparison = service.compare(session, plan) if plan.status != "infeasible" else None
        lines = list(plan.lines)
    to_buy = sum(ln.units_to_buy * ln.unit_cost_minor for ln in lines)
    return staff_page(
        request,
        user,
        "staff/range_plan.html",
        {
            "title": f"Range plan {plan.id}",
            "plan": plan,
            "lines": lines,
            "comparison": comparison,
            "spend": to_buy,
            "styles": len({ln.style_code for ln in lines}),
            "units": sum(ln.units for ln in lines),
            # Rounded, and + 0.0 turns a -0.0 into 0.0.
            "gain": (
                round(plan.objective / plan.greedy_objective - 1, 4) + 0.0
                if plan.objective and plan.greedy_objective and plan.greedy_objective > 0
                else None
            ),
        },
        section="range-plans",
    )


@router.get("/staff/range-plans/{plan_id}/export.{fmt}")
def export_plan(plan_id: PlanId, fmt: str, _user: StaffUser, db: PortalDb) -> Response:
    if fmt not in service.EXPORT_TYPES:
        raise DomainError.single("not_found", "export format not found", 404)
    with db.session() as session:
        plan = service.get_plan(session, plan_id)
        data = service.export_plan(plan, fmt)
    return Response(
        data,
        media_type=service.EXPORT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="range-plan-{plan_id}.{fmt}"'},
    )


COST_FIELDS = ("unit_cost", "cost_currency", "effective_from", "supplier_moq", "supplier_case_pack")


@router.post("/staff/catalog/skus/{code}/cost")
def set_cost(request: Request, code: SkuCode, user: Planner, db: PortalDb, form: Form) -> Response:
    """The staff field for a SKU's landed cost (a new dated cost; the history is kept)."""
    from microbag.catalog.staff_sku_pages import sku_page_view

    values = {name: text(form, name, 40) for name in COST_FIELDS}
    errors = FormErrors()
    currency = values["cost_currency"].upper()
    if not is_currency(currency):
        errors.add("cost_currency", "Enter an ISO 4217 currency code, e.g. EUR.")
    cost = 0
    if not errors:
        try:
            cost = parse_amount(values["unit_cost"], currency)
        except ValueError as exc:
            errors.add("unit_cost", str(exc))
    try:
        day = date.fromisoformat(values["effective_from"])
    except ValueError:
        errors.add("effective_from", "Enter a date, YYYY-MM-DD.")
        day = date.min
    numbers = {}
    for name in ("supplier_moq", "supplier_case_pack"):
        numbers[name] = _number(values[name] or "1", name, errors) or 0
    if not errors:
        try:
            with db.session(write=True) as session:
                service.set_cost(
                    session,
                    code,
                    cost,
                    currency,
                    day,
                    supplier_moq=numbers["supplier_moq"],
                    supplier_case_pack=numbers["supplier_case_pack"],
                    by=user.principal.email,
                )
        except DomainError as exc:
            if exc.status == 404:
                raise
            fields = {"currency": "cost_currency", "supplier_moq": "supplier_moq"}
            for item in exc.items:
                errors.add(fields.get(item.field or "", item.field), item.message)
    if errors:
        return sku_page_view(
            request, user, db, code, cost_values=values, cost_errors=errors, status_code=422
        )
    return RedirectResponse(f"/staff/catalog/skus/{code}?done=cost", status_code=303)
