"""HTTP API for stock."""

from fastapi import APIRouter

router = APIRouter(tags=["stock"])
