"""HTTP API of scorecards (staff only; buyers never see the buying side)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["scorecards"])
