"""Reorder suggestions: safety stock, reorder point and order-up-to level per SKU and
warehouse, grouped into draft purchase orders."""
