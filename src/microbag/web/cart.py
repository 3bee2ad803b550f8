"""The buyer's cart: lines kept in the server-side session, checked by the orders core.

Nothing here decides whether a line is acceptable. ``check_cart`` asks
``orders.service.check_order``, which runs the same checks as placing without
writing anything, so the cart shows exactly the errors placing would give, on the
lines they concern. Prices shown per line come from the pricing policy the core
uses (``SkuTerms.unit_price``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from microbag.accounts.principal import Principal
from microbag.bundles.policies import AppliedBundle
from microbag.bundles.service import TogetherView, together_for
from microbag.buyers.service import available_credit_for, get_company, list_addresses
from microbag.catalog.service import sku_labels
from microbag.db import Database
from microbag.errors import DomainError, ErrorItem
from microbag.orders import service as orders
from microbag.orders.header import INCOTERMS, HeaderIn
from microbag.orders.schemas import MAX_LINES, MAX_QUANTITY, Fulfilment, OrderLineIn
from microbag.pricing.policies import SkuTerms
from microbag.pricing.service import price_list_for_company, terms_for
from microbag.stock.service import Incoming, available_by_sku, next_incoming
from microbag.timeutil import utcnow
from microbag.web.sessions import PortalUser, change_session_data

# How a cart line is to be filled (OrderLineIn.fulfilment): from stock on hand, as a
# preorder against an incoming batch, or backordering what stock lacks.
FULFILMENTS = ("stock", "preorder", "backorder")


@dataclass(frozen=True)
class CartLine:
    sku: str
    quantity: int
    fulfilment: Fulfilment = "stock"


def _fulfilment(raw: Any) -> Fulfilment:
    return cast(Fulfilment, raw) if isinstance(raw, str) and raw in FULFILMENTS else "stock"


def lines_of(data: dict[str, Any]) -> list[CartLine]:
    lines = []
    for raw in data.get("cart") or []:
        try:
            lines.append(
                CartLine(str(raw["sku"]), int(raw["quantity"]), _fulfilment(raw.get("fulfilment")))
            )
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry is dropped rather than breaking the page
    return lines


def cart_of(user: PortalUser) -> list[CartLine]:
    """The cart as it was when the request's session was loaded (for showing it)."""
    return lines_of(user.data)


def update_cart(
    db: Database, user: PortalUser, change: Callable[[list[CartLine]], list[CartLine]]
) -> list[CartLine]:
    """Apply ``change`` to the cart as it is now, in one write; returns the new lines.

    The cart is re-read under the session row's lock inside the write, not taken from
    the request's (older) copy, so parallel requests of one session (two tabs, a
    double click, htmx steppers) each see the other's change: none is lost.
    """
    result: list[CartLine] = []

    def apply(data: dict[str, Any]) -> dict[str, Any]:
        nonlocal result
        result = change(lines_of(data))
        return data | {
            "cart": [
                {"sku": x.sku, "quantity": x.quantity, "fulfilment": x.fulfilment} for x in result
            ]
        }

    with db.session(write=True) as session:
        change_session_data(session, user.session_id, apply)
    return result


def clamp_quantity(quantity: int) -> int:
    return max(1, min(int(quantity), MAX_QUANTITY))


def with_added(lines: Sequence[CartLine], sku: str, quantity: int) -> list[CartLine]:
    """Add to the SKU's line (one line per SKU, as orders require), or append a line."""
    out = list(lines)
    for i, line in enumerate(out):
        if line.sku == sku:
            out[i] = CartLine(sku, clamp_quantity(line.quantity + quantity), line.fulfilment)
            return out
    if len(out) >= MAX_LINES:
        raise DomainError.single("cart_full", f"a cart holds at most {MAX_LINES} lines")
    out.append(CartLine(sku, clamp_quantity(quantity)))
    return out


def with_quantity(lines: Sequence[CartLine], sku: str, quantity: int) -> list[CartLine]:
    """Set a line's quantity; 0 removes it."""
    if quantity <= 0:
        return [x for x in lines if x.sku != sku]
    return [
        CartLine(x.sku, clamp_quantity(quantity), x.fulfilment) if x.sku == sku else x
        for x in lines
    ]


def with_fulfilment(lines: Sequence[CartLine], sku: str, fulfilment: str) -> list[CartLine]:
    """Choose how a line is filled: from stock, preorder or backorder."""
    chosen = _fulfilment(fulfilment)
    return [CartLine(x.sku, x.quantity, chosen) if x.sku == sku else x for x in lines]


# ---- the dry run -------------------------------------------------------------------------------


@dataclass
class CartCheck:
    """What placing the cart right now would say."""

    ok: bool
    line_errors: dict[int, list[ErrorItem]] = field(default_factory=dict)
    order_errors: list[ErrorItem] = field(default_factory=list)
    total_minor: int | None = None
    # Bundle offers the order would get (discount lines; ``total_minor`` is after them).
    bundles: list[AppliedBundle] = field(default_factory=list)


def as_order_lines(lines: Sequence[CartLine]) -> list[OrderLineIn]:
    return [OrderLineIn(sku=x.sku, quantity=x.quantity, fulfilment=x.fulfilment) for x in lines]


def split_errors(items: Sequence[ErrorItem]) -> tuple[dict[int, list[ErrorItem]], list[ErrorItem]]:
    by_line: dict[int, list[ErrorItem]] = {}
    general: list[ErrorItem] = []
    for item in items:
        if item.line is None:
            general.append(item)
        else:
            by_line.setdefault(item.line, []).append(item)
    return by_line, general


def header_field_errors(items: Sequence[ErrorItem]) -> dict[str, list[ErrorItem]]:
    """The order header's errors by form field (po_number, ship_to_address_id...)."""
    by_field: dict[str, list[ErrorItem]] = {}
    for item in items:
        if item.line is None and item.field is not None:
            by_field.setdefault(item.field, []).append(item)
    return by_field


# ---- the order header's form -------------------------------------------------------------------


@dataclass(frozen=True)
class ShipToChoice:
    address_id: int
    label: str
    is_default: bool


@dataclass(frozen=True)
class HeaderForm:
    """What the cart's header fields offer and hold (the company's ship-tos, its
    defaults, the values the buyer typed when placing failed)."""

    ship_tos: list[ShipToChoice]
    incoterms: tuple[str, ...]
    incoterm_default: str
    po_number_required: bool
    values: dict[str, str]
    errors: dict[str, list[ErrorItem]]

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def selected_ship_to(self) -> str:
        if "ship_to_address_id" in self.values:
            return self.values["ship_to_address_id"]
        default = next((c for c in self.ship_tos if c.is_default), None)
        chosen = default or (self.ship_tos[0] if self.ship_tos else None)
        return str(chosen.address_id) if chosen else ""


def header_form(
    db: Database,
    company_id: int,
    values: dict[str, str] | None = None,
    errors: Sequence[ErrorItem] = (),
) -> HeaderForm:
    with db.session() as session:
        company = get_company(session, company_id)
        addresses = list_addresses(session, company_id, kind="shipping")
        incoterm_default = company.incoterm_default
        required = company.po_number_required
        choices = [
            ShipToChoice(
                a.id,
                " · ".join(
                    part
                    for part in (a.label, a.name, a.line1, f"{a.postal_code} {a.city}".strip())
                    if part
                )
                + f" ({a.country})",
                a.is_default,
            )
            for a in addresses
        ]
    return HeaderForm(
        ship_tos=choices,
        incoterms=INCOTERMS,
        incoterm_default=incoterm_default,
        po_number_required=required,
        values=dict(values or {}),
        errors=header_field_errors(errors),
    )


HEADER_FIELDS = ("po_number", "requested_delivery_date", "ship_to_address_id", "notes", "incoterm")


def header_from_form(values: dict[str, str]) -> HeaderIn:
    """The header the place form carried; a malformed date or address id is a
    DomainError on its field (the core checks the rest)."""
    raw_date = values.get("requested_delivery_date", "").strip()
    raw_address = values.get("ship_to_address_id", "").strip()
    errors: list[ErrorItem] = []
    wanted = None
    if raw_date:
        try:
            wanted = date.fromisoformat(raw_date)
        except ValueError:
            errors.append(
                ErrorItem(
                    "invalid_date",
                    "enter the requested delivery date as YYYY-MM-DD",
                    field="requested_delivery_date",
                )
            )
    address_id = None
    if raw_address:
        if not raw_address.isdigit() or len(raw_address) > 9:
            errors.append(
                ErrorItem(
                    "unknown_address",
                    "choose one of your ship-to addresses",
                    field="ship_to_address_id",
                )
            )
        else:
            address_id = int(raw_address)
    if errors:
        raise DomainError(errors)
    return HeaderIn(
        po_number=values.get("po_number") or None,
        requested_delivery_date=wanted,
        ship_to_address_id=address_id,
        notes=values.get("notes") or None,
        incoterm=values.get("incoterm") or None,
    )


def check_cart(
    db: Database,
    principal: Principal,
    lines: Sequence[CartLine],
    header: HeaderIn | None = None,
) -> CartCheck:
    """Every rule the core checks at placing, shown before placing (nothing is written).
    Without ``header``, the lines alone (the header is checked when the buyer places)."""
    if not lines:
        return CartCheck(ok=False)
    with db.session() as session:
        try:
            total, bundles = orders.checked_order(session, principal, as_order_lines(lines), header)
        except DomainError as exc:
            by_line, general = split_errors(exc.items)
            return CartCheck(ok=False, line_errors=by_line, order_errors=general)
    return CartCheck(ok=True, total_minor=total, bundles=bundles)


# ---- what the cart page shows per line ----------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    line_no: int
    sku: str
    quantity: int
    name: str | None
    color: str | None
    material: str | None
    terms: SkuTerms | None
    available: int
    errors: list[ErrorItem]
    fulfilment: str = "stock"
    # The next batch expected (its ship window is what a preorder is promised).
    incoming: Incoming | None = None

    @property
    def unit_price_minor(self) -> int | None:
        return self.terms.unit_price(self.quantity) if self.terms else None

    @property
    def total_minor(self) -> int | None:
        price = self.unit_price_minor
        return None if price is None else price * self.quantity


@dataclass(frozen=True)
class CartView:
    lines: list[LineView]
    currency: str
    check: CartCheck
    min_order_value_minor: int | None
    credit_available_minor: int | None  # None: prepaid, no credit check
    # Often ordered with the cart's SKUs (mined by bundles), only SKUs the buyer may order.
    together: list[TogetherView] = field(default_factory=list)

    @property
    def subtotal_minor(self) -> int:
        return sum(x.total_minor or 0 for x in self.lines)


def describe_cart(
    db: Database, company_id: int, lines: Sequence[CartLine], check: CartCheck
) -> CartView:
    with db.session() as session:
        company = get_company(session, company_id)
        labels = sku_labels(session, [x.sku for x in lines])
        price_list = price_list_for_company(session, company)
        ids = [label.id for label in labels.values()]
        terms = terms_for(session, price_list, ids) if price_list is not None else {}
        available = available_by_sku(session, ids)
        incoming = next_incoming(session, ids, utcnow().date())
        credit = None if company.is_prepaid else available_credit_for(session, company)
        currency = price_list.currency if price_list is not None else company.currency
        min_order = price_list.min_order_value_minor if price_list is not None else None
        together = together_for(session, [x.sku for x in lines], 4, company_id=company_id)
    views = []
    for line_no, line in enumerate(lines, start=1):
        label = labels.get(line.sku)
        views.append(
            LineView(
                line_no=line_no,
                sku=line.sku,
                quantity=line.quantity,
                name=label.name if label else None,
                color=label.color if label else None,
                material=label.material if label else None,
                terms=terms.get(label.id) if label else None,
                available=available.get(label.id, 0) if label else 0,
                errors=check.line_errors.get(line_no, []),
                fulfilment=line.fulfilment,
                incoming=incoming.get(label.id) if label else None,
            )
        )
    return CartView(
        lines=views,
        currency=currency,
        check=check,
        min_order_value_minor=min_order,
        credit_available_minor=credit,
        together=together,
    )


def lines_from_form(
    skus: Sequence[Any], quantities: Sequence[Any], fulfilments: Sequence[Any] = ()
) -> list[CartLine]:
    """The lines a confirmation form carried (what the buyer saw when they pressed Place);
    without fulfilments (an older form) every line is from stock."""
    if len(skus) != len(quantities) or not skus or len(skus) > MAX_LINES:
        raise DomainError.single("invalid_cart", "the order form is incomplete; reload the cart")
    if fulfilments and len(fulfilments) != len(skus):
        raise DomainError.single("invalid_cart", "the order form is incomplete; reload the cart")
    chosen = list(fulfilments) or ["stock"] * len(skus)
    lines = []
    for sku, quantity, fulfilment in zip(skus, quantities, chosen, strict=True):
        try:
            checked = OrderLineIn(
                sku=str(sku), quantity=int(quantity), fulfilment=_fulfilment(fulfilment)
            )
        except (ValueError, TypeError) as exc:
            raise DomainError.single(
                "invalid_cart", "the order form is damaged; reload the cart"
            ) from exc
        lines.append(CartLine(checked.sku, checked.quantity, checked.fulfilment))
    return lines
