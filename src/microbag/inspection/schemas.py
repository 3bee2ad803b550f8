"""API schemas of inspections (ISO 2859-1 sampling plans, defects, photos, decisions)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from microbag.accounts.schemas import FREE_TEXT_PATTERN, InputModel
from microbag.inspection.models import DEFECT_CLASSES, DEFECT_KINDS

MAX_NOTE_CHARS = 2000
MAX_DEFECT_NOTE_CHARS = 500
# Every kind in every class, at most once each.
MAX_DEFECT_LINES = len(DEFECT_KINDS) * len(DEFECT_CLASSES)
MAX_COUNT = 100_000

DefectKind = Literal[
    "stitching", "hardware", "zips", "lining", "color", "dimensions", "odor", "labeling"
]
DefectClass = Literal["critical", "major", "minor"]
Decision = Literal["return_to_supplier", "rework", "accept_with_note"]
Level = Literal["I", "II", "III"]
assert set(DefectKind.__args__) == set(DEFECT_KINDS)  # type: ignore[attr-defined]  # noqa: S101 - import-time consistency check
assert set(DefectClass.__args__) == set(DEFECT_CLASSES)  # type: ignore[attr-defined]  # noqa: S101 - import-time consistency check

Note = Annotated[str, Field(max_length=MAX_NOTE_CHARS, pattern=FREE_TEXT_PATTERN)]
Aql = Annotated[
    float,
    Field(ge=0, le=1000, description="0 (zero tolerance) or one of ISO 2859-1's AQLs"),
]


class SamplingPlanOut(BaseModel):
    code_letter: str = Field(description="The letter whose plan this is (after the arrows)")
    sample_size: int
    accept: int = Field(description="Ac: accept with at most this many defects")
    reject: int = Field(description="Re: reject with this many or more")
    aql: float
    full_inspection: bool = Field(description="The sample is the whole lot")


class SamplingPlansOut(BaseModel):
    lot_size: int
    level: str
    code_letter: str = Field(description="Table I's letter for the lot size")
    units_to_inspect: int = Field(description="The largest sample over the classes")
    plans: dict[str, SamplingPlanOut]


class DefectIn(InputModel):
    kind: DefectKind
    defect_class: DefectClass
    count: int = Field(ge=1, le=MAX_COUNT, description="Units in the class's sample with it")
    note: str = Field(default="", max_length=MAX_DEFECT_NOTE_CHARS, pattern=FREE_TEXT_PATTERN)


class InspectionIn(InputModel):
    defects: list[DefectIn] = Field(default_factory=list, max_length=MAX_DEFECT_LINES)
    note: Note = ""
    aql_critical: Aql | None = Field(default=None, description="Overrides the setting")
    aql_major: Aql | None = None
    aql_minor: Aql | None = None


class DefectOut(BaseModel):
    id: int
    kind: str
    defect_class: str
    count: int
    note: str


class PhotoOut(BaseModel):
    id: int
    defect_id: int | None
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime
    url: str


class ClassResultOut(BaseModel):
    aql: float
    code_letter: str
    sample_size: int
    accept: int
    reject: int
    found: int


class InspectionOut(BaseModel):
    id: int
    lot_id: int
    lot_size: int
    code_letter: str
    sample_size: int = Field(description="Units inspected (the largest class sample)")
    result: Literal["accept", "reject"]
    defect_rate: float = Field(description="Defects found per unit inspected")
    plans: dict[str, ClassResultOut]
    note: str
    inspector: str
    inspected_at: datetime
    defects: list[DefectOut]
    photos: list[PhotoOut]


class DecisionIn(InputModel):
    decision: Decision
    note: Note = ""


class ReworkDoneIn(InputModel):
    note: Note = ""


class LotStateOut(BaseModel):
    id: int
    po_id: int
    po_number: str
    supplier_id: int
    sku: str
    warehouse: str
    quantity: int
    status: str
    decision: str
    decision_note: str
    received_at: datetime
