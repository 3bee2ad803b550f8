"""Suggested orders: the ranking engine (engine.py, service.py) and, for buyer companies,
orderable SKUs, quantities under the buying rules, carts, quotes and sending (company.py)."""
