"""Supplier scorecards computed from the record, standings, and TOPSIS rankings."""
