"""HTTP API of audit (skeleton)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["audit"])
