"""HTTP API for quotes."""

from fastapi import APIRouter

router = APIRouter(tags=["quotes"])
