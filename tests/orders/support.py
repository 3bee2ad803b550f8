"""Helpers shared by the orders tests."""

from __future__ import annotations

from microbag.orders.schemas import OrderLineIn


def lines(*pairs: tuple[str, int]) -> list[OrderLineIn]:
    return [OrderLineIn(sku=sku, quantity=qty) for sku, qty in pairs]


def codes(exc_items: list) -> list[tuple[str, int | None]]:
    """(code, line) of each error item, in order."""
    return [(i.code, i.line) for i in exc_items]
