"""Suppliers: factories and trading companies, their certifications, price lists and
landed costs."""
