"""Shipping: carriers and tracking links (pure rules so far; shipments come later)."""
