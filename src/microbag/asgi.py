"""ASGI entry point: ``uvicorn microbag.asgi:app``."""

from microbag.app import create_app

app = create_app()
