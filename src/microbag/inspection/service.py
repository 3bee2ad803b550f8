"""Placeholder: filled in by the sourcing work (issue 10)."""
