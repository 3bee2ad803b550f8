"""Shipping (issue 11, h4): shipments of an order (partial or whole), pick lists and
packing slips, carriers and tracking links, delivery.
"""
