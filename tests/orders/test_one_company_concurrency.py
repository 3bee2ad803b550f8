"""Many keyed orders of ONE buyer company at once (a department store's integration).

50 concurrent ``POST /api/v1/orders`` of one company, each with its own Idempotency-Key
(and a few twins repeating another's key), 20 rounds, over real HTTP: mixed SKUs over
two warehouses, the last units contended, the credit close to its limit. No answer may
be a 5xx (the old lock order deadlocked on PostgreSQL: the key's insert took a key-share
lock on the company row, then ``FOR UPDATE`` on that row waited for the twin's), stock is
never oversold and the credit limit never exceeded.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import func, select, update

from microbag.accounts.models import User
from microbag.accounts.service import create_token
from microbag.buyers.models import Company
from microbag.catalog.models import Sku, Style
from microbag.orders.models import Order, OrderLine
from microbag.orders.policies import OPEN_STATUSES
from microbag.pricing.models import PriceList, PriceListItem, PriceTier
from microbag.stock.models import StockLevel, Warehouse

from ..conftest import PG_URL

ORDERS = 50
TWINS = 5  # of the 50, this many repeat another request's key and lines
USERS = 10
# SQLite serializes writers already (BEGIN IMMEDIATE): the deadlock cannot happen there,
# so a shorter run keeps the suite fast; PostgreSQL runs the whole 20 rounds.
ROUNDS = 20 if PG_URL else 4
CODES = [f"ONE-{n:03d}" for n in range(4)]
UNIT_PRICE = 1_000
# Per round and SKU: 5 units in one warehouse and 3 in the other (32 units in all,
# against about 200 wanted), and credit for 20 more units than are open and unpaid.
STOCK = (5, 3)
HEADROOM = 20 * UNIT_PRICE
CLIENT_TIMEOUT = httpx.Timeout(120.0)


@dataclass
class Store:
    company_id: int
    sku_ids: dict[str, int]
    warehouses: tuple[int, int]
    tokens: list[str]


@pytest.fixture
def store(db, world) -> Store:
    with db.session(write=True) as s:
        style = s.scalars(select(Style).where(Style.code == "MC-001")).one()
        second = Warehouse(code="SECOND", name="Second warehouse", country="DE")
        s.add(second)
        company = Company(
            name="Grand Magasin",
            segment="department_store",
            country="FR",
            region="europe",
            currency="EUR",
            payment_terms_days=30,
            credit_limit_minor=HEADROOM,
        )
        s.add(company)
        s.flush()
        price_list = PriceList(name="Grand Magasin EUR", currency="EUR", company_id=company.id)
        s.add(price_list)
        s.flush()
        sku_ids: dict[str, int] = {}
        for code in CODES:
            sku = Sku(
                code=code,
                style_id=style.id,
                color="black",
                material="calfskin",
                search_text=code.lower(),
                lifecycle="active",
            )
            s.add(sku)
            s.flush()
            sku_ids[code] = sku.id
            for wh in (world.warehouse, second.id):
                s.add(StockLevel(sku_id=sku.id, warehouse_id=wh, on_hand=0, reserved=0))
            s.add(
                PriceListItem(
                    price_list_id=price_list.id,
                    sku_id=sku.id,
                    moq=1,
                    case_pack=1,
                    tiers=[PriceTier(min_quantity=1, unit_price_minor=UNIT_PRICE)],
                )
            )
        tokens = []
        for n in range(USERS):
            user = User(email=f"integration{n}@grand.test", role="buyer", company_id=company.id)
            s.add(user)
            s.flush()
            tokens.append(create_token(s, user, "integration"))
        return Store(company.id, sku_ids, (world.warehouse, second.id), tokens)


def _new_round(db, store: Store) -> tuple[dict[int, int], int]:
    """Stock back to 5 + 3 free units per SKU, credit to 20 units above what is open;
    returns (reserved per SKU before the round, the credit limit)."""
    with db.session(write=True) as s:
        for wh, free in zip(store.warehouses, STOCK, strict=True):
            s.execute(
                update(StockLevel)
                .where(StockLevel.warehouse_id == wh, StockLevel.sku_id.in_(store.sku_ids.values()))
                .values(on_hand=StockLevel.reserved + free)
            )
        limit = _open_unpaid(s, store.company_id) + HEADROOM
        s.execute(
            update(Company).where(Company.id == store.company_id).values(credit_limit_minor=limit)
        )
    return _reserved(db, store), limit


def _open_unpaid(s, company_id: int) -> int:
    return int(
        s.scalar(
            select(func.coalesce(func.sum(Order.total_minor), 0)).where(
                Order.company_id == company_id,
                Order.status.in_(OPEN_STATUSES),
                Order.paid_at.is_(None),
            )
        )
    )


def _reserved(db, store: Store) -> dict[int, int]:
    with db.session() as s:
        rows = s.execute(
            select(StockLevel.sku_id, func.sum(StockLevel.reserved))
            .where(StockLevel.sku_id.in_(store.sku_ids.values()))
            .group_by(StockLevel.sku_id)
        )
        return {sku_id: int(n) for sku_id, n in rows}


def _requests(rng: random.Random, round_no: int) -> list[tuple[str, list[dict]]]:
    """(Idempotency-Key, lines) of the round's orders: 1 to 3 SKUs of 1 to 3 units each,
    the last few repeating earlier keys with the same lines."""
    own = []
    for n in range(ORDERS - TWINS):
        codes = rng.sample(CODES, rng.randint(1, 3))
        lines = [{"sku": c, "quantity": rng.randint(1, 3)} for c in codes]
        own.append((f"round{round_no}-order{n}", lines))
    twins = rng.sample(own, TWINS)
    requests = own + twins
    rng.shuffle(requests)
    return requests


def _post(client, token, key, lines, start: threading.Barrier):
    start.wait()
    r = client.post(
        "/api/v1/orders",
        json={"lines": lines},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )
    try:
        body = r.json()
    except ValueError:
        body = r.text
    return key, lines, r.status_code, body


def test_one_company_orders_queue_instead_of_deadlocking(db, store, live_server):
    rng = random.Random(8)
    clients = [httpx.Client(base_url=live_server, timeout=CLIENT_TIMEOUT) for _ in range(ORDERS)]
    seen: Counter[str] = Counter()
    placed_ids: set[int] = set()
    try:
        with ThreadPoolExecutor(max_workers=ORDERS) as pool:
            for round_no in range(ROUNDS):
                reserved_before, limit = _new_round(db, store)
                start = threading.Barrier(ORDERS)
                futures = [
                    pool.submit(_post, clients[i], store.tokens[i % USERS], key, lines, start)
                    for i, (key, lines) in enumerate(_requests(rng, round_no))
                ]
                answers = [f.result() for f in futures]

                broken = [a for a in answers if a[2] >= 500]
                assert not broken, f"round {round_no}: {len(broken)} answers >= 500: {broken[:3]}"
                by_key: dict[str, set[int]] = {}
                sold: Counter[int] = Counter()
                for key, lines, status, body in answers:
                    assert status in (201, 409, 422), (status, body)
                    codes = {e["code"] for e in body.get("errors", [])}
                    seen.update(codes or {"placed"})
                    if status == 409:
                        assert codes == {"insufficient_stock"}, body
                    elif status == 422:
                        assert codes <= {"credit_limit_exceeded", "insufficient_stock"}, body
                        assert "credit_limit_exceeded" in codes, body
                    else:
                        assert [(x["sku"], x["quantity"]) for x in body["lines"]] == [
                            (x["sku"], x["quantity"]) for x in lines
                        ]
                        by_key.setdefault(key, set()).add(body["id"])
                # A key makes at most one order, whatever its twins were answered.
                assert all(len(ids) == 1 for ids in by_key.values()), by_key
                for key, (order_id,) in by_key.items():
                    assert order_id not in placed_ids, key
                    placed_ids.add(order_id)
                    lines = next(a[1] for a in answers if a[0] == key)
                    for line in lines:
                        sold[store.sku_ids[line["sku"]]] += line["quantity"]
                assert by_key, f"round {round_no}: nothing was placed"

                with db.session() as s:
                    levels = s.execute(
                        select(StockLevel.on_hand, StockLevel.reserved).where(
                            StockLevel.sku_id.in_(store.sku_ids.values())
                        )
                    ).all()
                    open_unpaid = _open_unpaid(s, store.company_id)
                    assert all(0 <= reserved <= on_hand for on_hand, reserved in levels), levels
                    assert open_unpaid <= limit, f"round {round_no}: credit exceeded"
                reserved_after = _reserved(db, store)
                for sku_id in store.sku_ids.values():
                    assert reserved_after[sku_id] - reserved_before[sku_id] == sold[sku_id]
    finally:
        for c in clients:
            c.close()

    with db.session() as s:
        orders = s.scalar(
            select(func.count()).select_from(Order).where(Order.company_id == store.company_id)
        )
        units = s.scalar(
            select(func.coalesce(func.sum(OrderLine.quantity), 0)).where(
                OrderLine.sku_id.in_(store.sku_ids.values())
            )
        )
    assert orders == len(placed_ids)
    assert units == sum(_reserved(db, store).values())
    # Both limits were reached: the run contended for the last units and the last credit.
    assert seen["insufficient_stock"] and seen["credit_limit_exceeded"], seen
