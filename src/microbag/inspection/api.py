"""HTTP API of inspection (staff only; buyers never see the buying side)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["inspection"])
