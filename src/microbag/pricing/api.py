"""HTTP API for pricing."""

from fastapi import APIRouter

router = APIRouter(tags=["pricing"])
