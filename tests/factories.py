"""Small, explicit test data built straight from the models (no services involved)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from microbag.accounts.models import User
from microbag.accounts.service import create_token, hash_password
from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style, StyleOccasion
from microbag.orders.models import Order, OrderLine
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.stock.models import IncomingStock, StockLevel, Warehouse

PASSWORD = "correct horse battery"


@lru_cache(maxsize=1)
def password_hash() -> str:
    """argon2id is slow on purpose; tests hash the shared password once."""
    return hash_password(PASSWORD)


@dataclass
class World:
    company_a: int
    company_b: int
    company_prepaid: int
    warehouse: int
    # e-mail -> clear API token
    tokens: dict[str, str] = field(default_factory=dict)
    # SKU code -> id
    skus: dict[str, int] = field(default_factory=dict)
    price_lists: dict[str, int] = field(default_factory=dict)

    def auth(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[email]}"}


STAFF = {
    "admin@seller.test": "admin",
    "sales@seller.test": "sales",
    "merch@seller.test": "merchandiser",
}
BUYERS_A = {"owner@a.test": "owner", "buyer@a.test": "buyer", "viewer@a.test": "viewer"}
BUYERS_B = {"owner@b.test": "owner", "buyer@b.test": "buyer", "viewer@b.test": "viewer"}


def add_style(
    s: Session,
    code: str,
    bag_type: str,
    dims: tuple[int, int, int],
    *,
    price_tier: str = "premium",
    season: str = "all_season",
    size_class: str = "micro",
    occasions: tuple[str, ...] = ("casual",),
    name: str | None = None,
) -> Style:
    style = Style(
        code=code,
        name=name or f"{bag_type.replace('_', ' ').title()} {code}",
        bag_type=bag_type,
        width_mm=dims[0],
        height_mm=dims[1],
        depth_mm=dims[2],
        weight_g=150,
        size_class=size_class,
        holds=["cards", "keys"],
        price_tier=price_tier,
        season=season,
        lifecycle="active",
        occasions=[StyleOccasion(occasion=o) for o in occasions],
    )
    s.add(style)
    s.flush()
    return style


def add_sku(s: Session, style: Style, code: str, color: str, material: str) -> Sku:
    sku = Sku(
        code=code,
        style_id=style.id,
        color=color,
        material=material,
        hardware="gold",
        search_text=f"{code} {style.name} {color} {material} {style.bag_type}".lower(),
        lifecycle="active",
    )
    s.add(sku)
    s.flush()
    return sku


def add_price(
    s: Session,
    pl: PriceList,
    sku: Sku,
    tiers: list[tuple[int, int]],
    moq: int = 6,
    case_pack: int = 6,
) -> PriceListItem:
    item = PriceListItem(
        price_list_id=pl.id,
        sku_id=sku.id,
        moq=moq,
        case_pack=case_pack,
        tiers=[PriceTier(min_quantity=q, unit_price_minor=p) for q, p in tiers],
    )
    s.add(item)
    s.flush()
    return item


def build_world(s: Session) -> World:
    a = Company(
        name="Atelier Petit (Paris)",
        segment="boutique",
        country="FR",
        region="europe",
        currency="EUR",
        payment_terms_days=30,
        credit_limit_minor=5_000_000,
        locale="fr_FR",
    )
    b = Company(
        name="Big Store (NYC)",
        segment="department_store",
        country="US",
        region="us",
        currency="USD",
        payment_terms_days=60,
        credit_limit_minor=10_000_000,
    )
    p = Company(
        name="Kawaii Online (Tokyo)",
        segment="ecommerce",
        country="JP",
        region="japan_korea",
        currency="JPY",
        payment_terms_days=None,
        credit_limit_minor=0,
        locale="ja_JP",
    )
    s.add_all([a, b, p])
    s.flush()
    users: list[User] = []
    for email, role in STAFF.items():
        users.append(User(email=email, role=role, company_id=None, password_hash=password_hash()))
    for email, role in BUYERS_A.items():
        users.append(User(email=email, role=role, company_id=a.id, password_hash=password_hash()))
    for email, role in BUYERS_B.items():
        users.append(User(email=email, role=role, company_id=b.id, password_hash=password_hash()))
    users.append(User(email="buyer@prepaid.test", role="buyer", company_id=p.id))
    s.add_all(users)
    s.flush()
    world = World(company_a=a.id, company_b=b.id, company_prepaid=p.id, warehouse=0)
    for u in users:
        world.tokens[u.email] = create_token(s, u, "test")

    wh = Warehouse(code="MAIN", name="Main warehouse", country="FR")
    s.add(wh)
    s.flush()
    world.warehouse = wh.id

    clutch = add_style(
        s,
        "MC-001",
        "micro_clutch",
        (160, 100, 40),
        price_tier="luxury",
        occasions=("formal", "bridal"),
        name="Gala Micro Clutch",
    )
    tote = add_style(
        s, "MT-001", "micro_tote", (120, 100, 60), size_class="micro", name="Petite Micro Tote"
    )
    crossbody = add_style(
        s,
        "CB-001",
        "mini_crossbody",
        (180, 130, 60),
        size_class="mini",
        price_tier="mass",
        name="City Mini Crossbody",
    )
    skus = [
        add_sku(s, clutch, "MC-001-GLD", "gold", "calfskin"),
        add_sku(s, clutch, "MC-001-BLK", "black", "calfskin"),
        add_sku(s, tote, "MT-001-RED", "red", "vegan_leather"),
        add_sku(s, crossbody, "CB-001-TAN", "tan", "canvas"),
    ]
    world.skus = {k.code: k.id for k in skus}

    eur = PriceList(name="Default EUR", currency="EUR", min_order_value_minor=30_000)
    usd = PriceList(name="Default USD", currency="USD", min_order_value_minor=50_000)
    jpy = PriceList(name="Default JPY", currency="JPY", min_order_value_minor=0)
    s.add_all([eur, usd, jpy])
    s.flush()
    world.price_lists = {"EUR": eur.id, "USD": usd.id, "JPY": jpy.id}
    for pl, scale in ((eur, 1), (usd, 1), (jpy, 1)):
        base = 4_500 if pl.currency != "JPY" else 6_500
        for sku in skus:
            add_price(s, pl, sku, [(6, base * scale), (24, base * 9 // 10), (60, base * 8 // 10)])

    for sku in skus:
        s.add(StockLevel(sku_id=sku.id, warehouse_id=wh.id, on_hand=100, reserved=0))
    s.add(
        IncomingStock(
            sku_id=skus[0].id, warehouse_id=wh.id, quantity=120, expected_date=date(2030, 1, 15)
        )
    )
    s.flush()
    return world


def add_history_order(
    s: Session,
    company_id: int,
    sku_id: int,
    code: str,
    qty: int,
    when: datetime,
    status: str = "placed",
) -> Order:
    """A one-line order at ``when`` (in EUR, 45.00 a unit), written straight to the
    tables: sales history for the trend, history and forecast tests, without the
    placing rules (stock, MOQ) getting in the way."""
    order = Order(
        company_id=company_id,
        status=status,
        currency="EUR",
        total_minor=qty * 4500,
        created_at=when,
        placed_at=None if status == "draft" else when,
    )
    order.lines.append(
        OrderLine(
            line_no=1,
            sku_id=sku_id,
            sku_code=code,
            quantity=qty,
            unit_price_minor=4500,
            line_total_minor=qty * 4500,
        )
    )
    s.add(order)
    return order
