"""The range plan's explanations in plain words: a constraint's name, why a SKU is in the
plan (its demand and basis, trend, margin, units, the minimums that forced it). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from microbag.display_names import display_name
from microbag.money import format_money
from microbag.rangeplan.policies import (
    PlanInstance,
    PlanLine,
    PlanSku,
    expected_sales,
    line_value,
)


def _group_words(group: str) -> str:
    kind, _sep, value = group.partition(":")
    words = display_name(value)
    kinds = {
        "bag_type": "bag type",
        "color_family": "color family",
        "price_tier": "price tier",
        "occasion": "occasion",
    }
    return f"{kinds.get(kind, kind)} {words}"


def describe_constraint(instance: PlanInstance, name: str, currency: str = "") -> str:
    """A constraint's name in plain words, e.g. "at least 10% belt bags (knowledge file)"."""
    if name == "budget":
        amount = format_money(instance.budget, currency) if currency else str(instance.budget)
        return f"the budget of {amount}"
    if name == "max_styles":
        return f"at most {instance.max_styles} styles"
    if name == "min_styles":
        return f"at least {instance.min_styles} styles"
    kind, _sep, group = name.partition(":")
    bound = next(
        (b for b in instance.bounds if b.group == group and getattr(b, kind, None) is not None),
        None,
    )
    if bound is None:
        return name
    value = getattr(bound, kind)
    if kind.endswith("share"):
        amount = f"{value:.0%} of the SKUs"
    else:
        amount = f"{value} SKU" if value == 1 else f"{value} SKUs"
    words = "at least" if kind.startswith("min") else "at most"
    source = " (knowledge file default)" if bound.source == "knowledge" else ""
    return f"{words} {amount} of {_group_words(group)}{source}"


def binding_minimums(instance: PlanInstance, lines: Sequence[PlanLine]) -> dict[str, list[str]]:
    """For each SKU carried at an expected loss: the minimums that are exactly met, which
    is why it is in the plan (dropping it would break them)."""
    items = {i.sku: i for i in instance.skus}
    carried = [items[ln.sku] for ln in lines if ln.carried and ln.sku in items]
    total = len(carried)
    tight: list[tuple[str, str]] = []  # (group or "", constraint name)
    for bound in instance.bounds:
        count = sum(1 for i in carried if bound.group in i.groups)
        if bound.min_count is not None and count <= bound.min_count:
            tight.append((bound.group, f"min_count:{bound.group}"))
        if bound.min_share is not None and count - 1 < bound.min_share * (total - 1):
            tight.append((bound.group, f"min_share:{bound.group}"))
    styles = {i.style for i in carried}
    out: dict[str, list[str]] = {}
    for ln in lines:
        item = items.get(ln.sku)
        if item is None or line_value(item, ln.cases, ln.carried) >= 0:
            continue
        names = [name for group, name in tight if group in item.groups]
        styles_tight = instance.min_styles is not None and len(styles) <= instance.min_styles
        if styles_tight and sum(1 for i in carried if i.style == item.style) == 1:
            names.append("min_styles")
        out[ln.sku] = [describe_constraint(instance, n) for n in names]
    return out


def pick_reasons(
    item: PlanSku,
    line: PlanLine,
    *,
    basis: str,
    mean: float,
    lo80: float,
    hi80: float,
    note: str = "",
    trend: str | None = None,
    trend_of: str = "",
    currency: str = "",
    forced: Sequence[str] = (),
) -> list[str]:
    """Why a SKU is in the plan with these units, in plain words."""

    def money(amount: int) -> str:
        return format_money(amount, currency) if currency else str(amount)

    out = []
    if basis == "forecast":
        out.append(f"forecast {mean:.0f} units for the season (80% interval {lo80:.0f}-{hi80:.0f})")
    elif basis == "history":
        out.append(f"sold {mean:.0f} units in the same weeks last year")
    else:
        out.append(f"new to sales: prior of {mean:.0f} units from {note or 'similar SKUs'}")
    if trend:
        out.append(f"{trend_of or 'its type'} is {trend}")
    unit_margin = item.unit_price - item.unit_cost
    pct = unit_margin / item.unit_price if item.unit_price else 0.0
    out.append(f"margin {money(unit_margin)} a unit ({pct:.0%})")
    available = line.available(item)
    sold = expected_sales(item.curve, available)
    bought = line.bought(item)
    if bought:
        terms = []
        if item.case_pack > 1:
            terms.append(f"{line.cases} cases of {item.case_pack}")
        if item.moq > 1:
            terms.append(f"supplier MOQ {item.moq}")
        out.append(
            f"buy {bought} units"
            + (f" ({', '.join(terms)})" if terms else "")
            + (f" on top of {item.free_units} on hand or incoming" if item.free_units else "")
        )
    else:
        out.append(f"{item.free_units} units on hand or incoming by the ship window; none to buy")
    out.append(f"expected to sell {sold:.0f} of {available}, {available - sold:.0f} left over")
    if forced:
        out.append("carried at an expected loss to meet " + "; ".join(forced))
    return out
