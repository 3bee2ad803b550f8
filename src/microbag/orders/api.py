"""HTTP API for orders."""

from fastapi import APIRouter

router = APIRouter(tags=["orders"])
