"""Tables of shipping (skeleton: filled by its helper)."""

from __future__ import annotations

from microbag.db import Base

# Every model of the package, imported by microbag.models so the metadata is complete.
SHIPPING_MODELS: tuple[type[Base], ...] = ()
