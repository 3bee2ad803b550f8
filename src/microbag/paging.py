"""Paging of lists: the requested page and one page of results (web-free).

Schemas and services use these; the query-parameter parsing that builds a
``PageParams`` from a request is the web layer's (``microbag.http.page_params``).
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int = Field(description="Number of items matching the filters")
