"""HTTP API of shipping (skeleton)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["shipping"])
