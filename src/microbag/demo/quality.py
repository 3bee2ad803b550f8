"""Demo inspections of received lots: ISO 2859-1 plans, defects drawn per supplier.

Each lot is sampled with ``inspection.policies.lot_plans`` (general level II, single
sampling, normal inspection, the AQLs of the settings); the defective units found in
each class's sample are drawn from the supplier's defect rates (``Behaviour.defects``),
and spread over the kinds where that supplier is weak. ``judge`` gives the result, as
the inspection service would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from microbag.config import Settings
from microbag.demo.bulk import BulkWriter
from microbag.demo.supplier_profiles import Behaviour
from microbag.inspection.models import DEFECT_CLASSES, Inspection, InspectionDefect
from microbag.inspection.policies import SamplingPlan, code_letter, judge, lot_plans

# Kinds a critical defect can be (unsafe or unsellable): a clasp that breaks or cuts,
# a chemical smell, a wrong origin or composition label.
CRITICAL_KINDS = ("hardware", "odor", "labeling")
NOTES = {
    "stitching": "loose or skipped stitches at the strap joints",
    "hardware": "clasp or ring plating scratched, one clasp not closing",
    "zips": "zip pull sticks at the corner",
    "lining": "lining puckered along the top seam",
    "color": "shade off the approved swatch under D65 light",
    "dimensions": "width outside the +/- 3 mm tolerance",
    "odor": "strong tanning or glue smell",
    "labeling": "care label or origin label missing or wrong",
}


@dataclass
class InspectionResult:
    at: datetime
    lot_size: int
    plans: dict[str, SamplingPlan]
    found: dict[str, int]
    # (kind, class) -> count
    defects: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def result(self) -> str:
        return judge(self.plans, self.found)

    @property
    def critical(self) -> bool:
        return self.found.get("critical", 0) > 0


def aqls(settings: Settings) -> dict[str, float]:
    return {
        "critical": settings.inspection_aql_critical,
        "major": settings.inspection_aql_major,
        "minor": settings.inspection_aql_minor,
    }


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(1 for _ in range(n) if rng.random() < p)


def inspect(
    rng: random.Random,
    settings: Settings,
    behaviour: Behaviour,
    lot_size: int,
    at: datetime,
    *,
    quality: float = 1.0,
) -> InspectionResult:
    """Sample a lot; ``quality`` scales the supplier's defect rates (a reworked lot: less)."""
    plans = lot_plans(lot_size, aqls(settings))
    rates = dict(zip(DEFECT_CLASSES, behaviour.defects, strict=True))
    found = {
        cls: _binomial(rng, plan.sample_size, rates[cls] * quality) for cls, plan in plans.items()
    }
    outcome = InspectionResult(at, lot_size, plans, found)
    spots = behaviour.weak_spots
    weights = [1.0 / (i + 1) for i in range(len(spots))]
    critical_spots = [k for k in spots if k in CRITICAL_KINDS] or ["hardware"]
    for cls, count in found.items():
        for _ in range(count):
            if cls == "critical":
                kind = rng.choice(critical_spots)
            else:
                kind = rng.choices(spots, weights=weights)[0]
            outcome.defects[(kind, cls)] = outcome.defects.get((kind, cls), 0) + 1
    return outcome


def write_inspection(
    writer: BulkWriter, lot_id: int, outcome: InspectionResult, inspector: str, note: str
) -> None:
    # The largest class sample is drawn; each class is judged on its own sample.
    inspected = max(p.sample_size for p in outcome.plans.values())
    plan: dict[str, Any] = {
        cls: {
            "aql": p.aql,
            "code_letter": p.code_letter,
            "sample_size": p.sample_size,
            "accept": p.accept,
            "reject": p.reject,
            "found": outcome.found.get(cls, 0),
        }
        for cls, p in outcome.plans.items()
    }
    inspection_id = writer.next_id(Inspection)
    writer.add(
        Inspection,
        {
            "id": inspection_id,
            "receipt_line_id": lot_id,
            "lot_size": outcome.lot_size,
            "code_letter": code_letter(outcome.lot_size),
            "sample_size": inspected,
            "plan": plan,
            "result": outcome.result,
            "defect_rate": sum(outcome.found.values()) / inspected,
            "note": note,
            "inspector": inspector,
            "inspected_at": outcome.at,
        },
    )
    for (kind, cls), count in sorted(outcome.defects.items()):
        writer.add(
            InspectionDefect,
            {
                "id": writer.next_id(InspectionDefect),
                "inspection_id": inspection_id,
                "kind": kind,
                "defect_class": cls,
                "count": count,
                "note": NOTES[kind],
            },
        )
