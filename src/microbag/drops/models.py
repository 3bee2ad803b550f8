"""Tables of drops (skeleton: filled by its helper)."""

from __future__ import annotations

from microbag.db import Base

# Every model of the package, imported by microbag.models so the metadata is complete.
DROPS_MODELS: tuple[type[Base], ...] = ()
