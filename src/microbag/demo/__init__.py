"""The demo business: a deterministic, believable micro bag wholesaler.

``microbag demo load`` (``generator.load_demo``) fills an empty database with it:

- ``market.py`` and ``regions.py``: the market brief as data (bag types, materials,
  colors, price tiers and their quantity terms, price lists, seasons; buyer segments
  and regional preferences). Change the numbers there to change the business.
- ``catalog.py``: styles and SKUs by season (drafts for next season, discontinued
  older ones, limited-edition drops).
- ``buyers.py``: companies across segments and regions, their users, seller staff.
- ``prices.py``: price lists and tiers (every item passes ``validate_terms``).
- ``orders_history.py``: who reorders when and what (seasons, preferences);
  ``order_lifecycle.py``: statuses, events, payments and reservations up to now.
- ``stock.py``: warehouses, stock levels (reserved = open allocations), incoming.
- ``supplier_profiles.py``: the suppliers and how they behave; ``suppliers.py``: their
  certificates, price lists and the SKUs' landed unit costs; ``purchase_plan.py``,
  ``purchasing.py``, ``quality.py``, ``lots.py``: a year of purchase orders, receipts,
  inspections and lot decisions up to now (docs/sourcing.md, "The demo's suppliers").
- ``bulk.py``: bulk inserts with ids assigned up front (fast at 100,000 SKUs).

Every demo user's password is ``market.DEMO_PASSWORD``; the featured sign-ins are
``generator.demo_logins``.
"""
