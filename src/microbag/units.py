"""Lengths are stored as integer millimetres; shown in cm or inches."""

from __future__ import annotations

MM_PER_INCH = 25.4


def format_length(mm: int, unit: str = "cm") -> str:
    if unit == "in":
        return f"{mm / MM_PER_INCH:.1f} in"
    return f"{mm / 10:.1f} cm"


def format_dimensions(width_mm: int, height_mm: int, depth_mm: int, unit: str = "cm") -> str:
    if unit == "in":
        parts = [f"{v / MM_PER_INCH:.1f}" for v in (width_mm, height_mm, depth_mm)]
        return " x ".join(parts) + " in"
    return " x ".join(f"{v / 10:.1f}" for v in (width_mm, height_mm, depth_mm)) + " cm"
