"""Benchmark data: buyer companies with tokens, SKUs with deep stock, one price list each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from microbag.accounts.models import User
from microbag.accounts.service import create_token
from microbag.buyers.models import Company, CompanyAddress
from microbag.catalog.models import Sku, Style
from microbag.db import Database
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.stock.models import StockLevel, Warehouse


@dataclass
class OrderBenchData:
    tokens: list[str]  # one user in each of many companies: orders spread over them
    sku_codes: list[str]
    # Many users of ONE company that buys on credit: its orders all take the company's
    # row lock (the credit check), as a department store's integration posting keyed
    # orders in parallel does.
    one_company_tokens: list[str] = field(default_factory=list)
    # A ship-to address (not the default: the plain loads stay address-free) per token,
    # sent as ship_to_address_id by the "with address" loads (issue 11).
    address_ids: dict[str, int] = field(default_factory=dict)


def seed_order_bench(
    db: Database, companies: int = 40, skus: int = 200, one_company_users: int = 16
) -> OrderBenchData:
    """Enough stock and credit that every benchmark order is valid and succeeds."""
    with db.session(write=True) as s:
        style = Style(
            code="BENCH-STYLE",
            name="Bench Micro Tote",
            bag_type="micro_tote",
            width_mm=120,
            height_mm=100,
            depth_mm=60,
            size_class="micro",
            price_tier="mass",
            season="all_season",
            lifecycle="active",
        )
        s.add(style)
        wh = Warehouse(code="BENCH", name="Bench warehouse")
        s.add(wh)
        pl = PriceList(name="Bench USD", currency="USD", min_order_value_minor=0)
        s.add(pl)
        s.flush()
        codes = [f"BENCH-{i:05d}" for i in range(skus)]
        s.execute(
            insert(Sku),
            [
                {
                    "code": c,
                    "style_id": style.id,
                    "color": "black",
                    "material": "nylon",
                    "hardware": "silver",
                    "search_text": c.lower(),
                    "lifecycle": "active",
                    "attributes": {},
                    "is_imported": False,
                }
                for c in codes
            ],
        )
        sku_ids = dict(s.execute(Sku.__table__.select().with_only_columns(Sku.code, Sku.id)).all())
        s.execute(
            insert(StockLevel),
            [
                {"sku_id": sku_ids[c], "warehouse_id": wh.id, "on_hand": 10_000_000, "reserved": 0}
                for c in codes
            ],
        )
        for c in codes:
            s.add(
                PriceListItem(
                    price_list_id=pl.id,
                    sku_id=sku_ids[c],
                    moq=1,
                    case_pack=1,
                    tiers=[
                        PriceTier(min_quantity=1, unit_price_minor=1500),
                        PriceTier(min_quantity=12, unit_price_minor=1300),
                    ],
                )
            )
        tokens = []
        address_ids: dict[str, int] = {}
        for i in range(companies):
            company = Company(
                name=f"Bench Buyer {i}",
                segment="boutique",
                country="US",
                region="us",
                currency="USD",
                payment_terms_days=None,
                credit_limit_minor=0,
            )
            s.add(company)
            s.flush()
            user = User(email=f"bench{i}@buyer.test", role="buyer", company_id=company.id)
            s.add(user)
            s.flush()
            tokens.append(create_token(s, user, "bench"))
            address_ids[tokens[-1]] = _ship_to(s, company.id)
        store = Company(
            name="Bench Department Store",
            segment="department_store",
            country="US",
            region="us",
            currency="USD",
            payment_terms_days=60,
            credit_limit_minor=10**15,  # never reached: every order passes the credit check
        )
        s.add(store)
        s.flush()
        store_tokens = []
        store_address = _ship_to(s, store.id)
        for i in range(one_company_users):
            user = User(email=f"integration{i}@store.test", role="buyer", company_id=store.id)
            s.add(user)
            s.flush()
            store_tokens.append(create_token(s, user, "bench"))
            address_ids[store_tokens[-1]] = store_address
    return OrderBenchData(tokens, codes, store_tokens, address_ids)


def _ship_to(s: Any, company_id: int) -> int:
    address = CompanyAddress(
        company_id=company_id,
        kind="shipping",
        label="Dock",
        name="Receiving",
        line1="1 Bench Way",
        city="Portland",
        region="OR",
        postal_code="97201",
        country="US",
        is_default=False,
    )
    s.add(address)
    s.flush()
    return int(address.id)
