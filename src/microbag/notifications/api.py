"""HTTP API of notifications (skeleton)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["notifications"])
