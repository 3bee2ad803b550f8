"""HTTP API for catalog."""

from fastapi import APIRouter

router = APIRouter(tags=["catalog"])
