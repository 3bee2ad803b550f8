"""HTTP API of purchasing (staff only; buyers never see the buying side)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["purchasing"])
