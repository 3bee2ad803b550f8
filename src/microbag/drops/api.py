"""HTTP API of drops (skeleton)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["drops"])
