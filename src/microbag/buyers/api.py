"""HTTP API for buyers."""

from fastapi import APIRouter

router = APIRouter(tags=["buyers"])
