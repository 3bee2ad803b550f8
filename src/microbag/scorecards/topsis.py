"""Ranking suppliers by TOPSIS (pymcdm) and how stable the ranking is. Pure: plain
values in, plain values out (no database).

The decision matrix has one row per candidate supplier and one column per measure, each
a benefit (more is better) or a cost (less is better) with a weight. A missing value (a
supplier never inspected, a price nobody else quotes) takes the column's median over the
candidates that have one, so it neither helps nor hurts; a column nobody has, or where
every candidate has the same value, is left out (it cannot tell them apart, and min-max
normalisation would divide by zero).

Sensitivity: each criterion's weight moved by +10 % and by -10 % (weights renormalised),
the candidates ranked again; per move, whether the top supplier changes and Kendall's
tau between the new ranking and the base one.
"""

from __future__ import annotations

import statistics
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pymcdm.methods import TOPSIS

SENSITIVITY_STEP = 0.10

# The columns a ranking may use: (label, benefit?) and the criterion they measure.
COLUMNS: dict[str, tuple[str, bool]] = {
    "on_time": ("on-time share", True),
    "in_full": ("in-full share", True),
    "defect_rate": ("defect rate", False),
    "lead_time_spread": ("lead-time spread, days", False),
    "response_hours": ("hours to confirm", False),
    "price": ("price", False),
    "customization": ("customization (0..100)", True),
    "certifications": ("certificates (0..100)", True),
    "capacity_units": ("monthly capacity, units", True),
    "lead_time_days": ("lead time, days", False),
    "moq": ("MOQ, units", False),
}
COLUMN_CRITERION: dict[str, str] = {
    "defect_rate": "quality_capacity",
    "in_full": "quality_capacity",
    "capacity_units": "quality_capacity",
    "on_time": "moq_lead_times",
    "lead_time_spread": "moq_lead_times",
    "lead_time_days": "moq_lead_times",
    "moq": "moq_lead_times",
    "response_hours": "transparency",
    "customization": "customization",
    "certifications": "compliance",
    "price": "price",
}


@dataclass(frozen=True)
class Ranked:
    index: int  # the candidate's row
    rank: int  # 1 = best
    score: float  # TOPSIS closeness 0..1


@dataclass(frozen=True)
class Move:
    criterion: str
    change: float  # +0.1 or -0.1
    top_changes: bool
    new_top: int  # the candidate's row ranked first after the move
    kendall_tau: float


@dataclass(frozen=True)
class Matrix:
    """The matrix TOPSIS saw: the columns kept, their weights (summing to 1), values."""

    columns: tuple[str, ...]
    weights: tuple[float, ...]
    rows: tuple[tuple[float, ...], ...]


def column_weights(
    criterion_weights: Mapping[str, float], columns: Sequence[str]
) -> dict[str, float]:
    """Each column's weight: its criterion's weight shared by the criterion's columns
    present; criteria the columns do not measure are left out. Not normalised."""
    per_criterion: dict[str, list[str]] = {}
    for c in columns:
        per_criterion.setdefault(COLUMN_CRITERION[c], []).append(c)
    out: dict[str, float] = {}
    for criterion, cols in per_criterion.items():
        w = max(0.0, float(criterion_weights.get(criterion, 0.0)))
        for c in cols:
            out[c] = w / len(cols)
    return out


def build_matrix(
    values: Sequence[Mapping[str, float | None]],
    criterion_weights: Mapping[str, float],
    columns: Sequence[str] = tuple(COLUMNS),
) -> Matrix:
    filled: dict[str, list[float]] = {}
    for c in columns:
        present = [float(v[c]) for v in values if v.get(c) is not None]  # type: ignore[arg-type]
        if not present or max(present) - min(present) < 1e-12:
            continue
        median = statistics.median(present)
        col = [float(v[c]) if v.get(c) is not None else median for v in values]  # type: ignore[arg-type]
        filled[c] = col
    weights = column_weights(criterion_weights, list(filled))
    kept = [c for c in filled if weights[c] > 0] if any(weights.values()) else list(filled)
    total = sum(weights[c] for c in kept)
    norm = tuple(weights[c] / total if total > 0 else 1.0 / len(kept) for c in kept)
    rows = tuple(tuple(filled[c][r] for c in kept) for r in range(len(values)))
    return Matrix(tuple(kept), norm, rows)


def topsis_scores(matrix: Matrix) -> list[float]:
    """TOPSIS closeness per row (all 1.0 when nothing tells the candidates apart)."""
    n = len(matrix.rows)
    if n == 0:
        return []
    if n == 1 or not matrix.columns:
        return [1.0] * n
    types = np.array([1 if COLUMNS[c][1] else -1 for c in matrix.columns])
    with warnings.catch_warnings():
        # pymcdm warns when a candidate is best (or worst) on every column: a fine answer here.
        warnings.filterwarnings(
            "ignore",
            message=r"Alternatives with indices .* are (dominant|dominated)\.",
            category=UserWarning,
        )
        scores = TOPSIS()(np.array(matrix.rows, dtype=float), np.array(matrix.weights), types)
    return [float(s) for s in scores]


def ranks(scores: Sequence[float]) -> list[Ranked]:
    """Best first; ties keep the candidates' order (callers sort candidates by code)."""
    order = sorted(range(len(scores)), key=lambda i: (-round(scores[i], 12), i))
    return [Ranked(i, r, scores[i]) for r, i in enumerate(order, start=1)]


def kendall_tau(a: Sequence[int], b: Sequence[int]) -> float:
    """Kendall's tau between two rankings of the same items (rank per item, no ties)."""
    n = len(a)
    if n < 2:
        return 1.0
    s = 0
    for i in range(n):
        for j in range(i + 1, n):
            x = (a[i] - a[j]) * (b[i] - b[j])
            s += 1 if x > 0 else -1 if x < 0 else 0
    return s / (n * (n - 1) / 2)


def rank(
    values: Sequence[Mapping[str, float | None]],
    criterion_weights: Mapping[str, float],
    columns: Sequence[str] = tuple(COLUMNS),
) -> tuple[Matrix, list[Ranked]]:
    matrix = build_matrix(values, criterion_weights, columns)
    return matrix, ranks(topsis_scores(matrix))


def sensitivity(
    values: Sequence[Mapping[str, float | None]],
    criterion_weights: Mapping[str, float],
    columns: Sequence[str] = tuple(COLUMNS),
    step: float = SENSITIVITY_STEP,
) -> list[Move]:
    """Each criterion the ranking uses, its weight times (1 + step) and (1 - step)."""
    matrix, base = rank(values, criterion_weights, columns)
    if not base:
        return []
    base_rank = [0] * len(base)
    for r in base:
        base_rank[r.index] = r.rank
    used = sorted({COLUMN_CRITERION[c] for c in matrix.columns} & set(criterion_weights))
    moves = []
    for criterion in used:
        for change in (step, -step):
            moved = dict(criterion_weights)
            moved[criterion] = criterion_weights[criterion] * (1 + change)
            _, again = rank(values, moved, columns)
            new_rank = [0] * len(again)
            for r in again:
                new_rank[r.index] = r.rank
            moves.append(
                Move(
                    criterion,
                    change,
                    again[0].index != base[0].index,
                    again[0].index,
                    kendall_tau(base_rank, new_rank),
                )
            )
    return moves


def stability(moves: Sequence[Move]) -> tuple[float, float]:
    """(share of moves keeping the top supplier, lowest Kendall tau); (1, 1) if none."""
    if not moves:
        return 1.0, 1.0
    kept = sum(1 for m in moves if not m.top_changes) / len(moves)
    return kept, min(m.kendall_tau for m in moves)
