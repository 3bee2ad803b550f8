"""Compliance documents (test reports, declarations, warnings...) per style or SKU and market."""
