"""Roles and what each may do (pure rules)."""

from __future__ import annotations

STAFF_ROLES = ("admin", "sales", "merchandiser")
BUYER_ROLES = ("owner", "buyer", "viewer")

# Buyer roles allowed to place orders, request and accept quotes.
BUYER_WRITE_ROLES = frozenset({"owner", "buyer"})
# Staff roles per area of write access.
STAFF_ORDER_ROLES = frozenset({"admin", "sales"})
STAFF_QUOTE_ROLES = frozenset({"admin", "sales"})
STAFF_CATALOG_ROLES = frozenset({"admin", "merchandiser"})
STAFF_STOCK_ROLES = frozenset({"admin", "merchandiser"})
STAFF_PRICING_ROLES = frozenset({"admin", "sales"})
STAFF_COMPANY_ROLES = frozenset({"admin", "sales"})
STAFF_ADMIN_ROLES = frozenset({"admin"})


def valid_role(role: str, is_staff: bool) -> bool:
    return role in (STAFF_ROLES if is_staff else BUYER_ROLES)


def normalize_email(email: str) -> str:
    return email.strip().lower()
