"""The dashboard's charts: Vega-Lite specs rendered to SVG offline with vl-convert.

vl-convert runs Vega-Lite in an embedded JavaScript engine inside this process: the
data is inline in each spec and no base URL may be fetched (``allowed_base_urls=[]``),
so rendering never touches the network. Rendering costs tens of milliseconds per
chart (and seconds for the engine's first start in a process), so each SVG is kept,
keyed by the SHA-256 of its spec: an unchanged chart is rendered once. When
vl-convert is missing or fails, a chart has no SVG and the page shows its table.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from markupsafe import Markup, escape

from microbag.analytics.service import BreakdownRow, Dashboard, MonthFigures, TopSku
from microbag.display_names import display_name
from microbag.money import to_major

log = logging.getLogger("microbag.analytics")

ACCENT = "#7a2e4d"
INK = "#1c1b22"
MUTED = "#55525f"
GRID = "#e7e3de"
WIDTH = 520
HEIGHT = 200
CACHE_SIZE = 256

# Theme shared by every chart: the portal's colours and type, no frame.
CONFIG: dict[str, Any] = {
    "font": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
    "background": "#ffffff",
    # Room for labels that a browser draws wider than vl-convert measured them.
    "padding": {"left": 24, "top": 6, "right": 12, "bottom": 6},
    "view": {"stroke": None},
    "axis": {
        "labelColor": INK,
        "titleColor": MUTED,
        "labelFontSize": 11,
        "titleFontSize": 11,
        "titleFontWeight": "normal",
        "gridColor": GRID,
        "domainColor": MUTED,
        "tickColor": MUTED,
    },
    "mark": {"color": ACCENT},
}


def label(code: str | None) -> str:
    """The display name of a breakdown's code (region, segment, color...)."""
    return display_name(code)


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG (None when it could not be rendered) and what it shows."""

    id: str
    title: str
    svg: Markup | None


# ---- specs -------------------------------------------------------------------------------------


def _base(values: list[dict[str, Any]], description: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "width": WIDTH,
        "height": HEIGHT,
        "data": {"values": values},
        "config": CONFIG,
    }


def month_label(month: MonthFigures, locale: str) -> str:
    return str(format_date(month.first_day, "MMM yy", locale=locale))


def months_spec(
    series: Sequence[MonthFigures],
    *,
    measure: str,
    title: str,
    locale: str,
    currency: str | None = None,
    mark: str = "bar",
) -> dict[str, Any]:
    """Columns (or a line) per month; ``measure`` is ``units`` or ``revenue``."""
    values = [
        {
            "month": month_label(m, locale),
            "value": float(to_major(m.revenue_minor, currency))
            if measure == "revenue" and currency
            else m.units,
        }
        for m in series
    ]
    spec = _base(values, title)
    spec["mark"] = (
        {"type": "line", "point": True, "color": ACCENT} if mark == "line" else {"type": "bar"}
    )
    spec["encoding"] = {
        "x": {
            "field": "month",
            "type": "ordinal",
            "sort": None,
            "title": None,
            "axis": {"labelAngle": -45 if len(values) > 12 else 0, "labelOverlap": True},
        },
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": title,
            "axis": {"format": "~s", "tickCount": 5},
        },
    }
    return spec


def bars_spec(pairs: Sequence[tuple[str, int]], *, title: str) -> dict[str, Any]:
    """Horizontal bars, largest first (the order given)."""
    values = [{"name": name, "value": value} for name, value in pairs]
    spec = _base(values, title)
    spec["height"] = max(60, 22 * len(values))
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
        "x": {"field": "value", "type": "quantitative", "title": title, "axis": {"format": "~s"}},
    }
    return spec


# ---- rendering ---------------------------------------------------------------------------------

_cache: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


def spec_key(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _convert(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, allowed_base_urls=[]))


_warmed = threading.Event()
_warm_lock = threading.Lock()
WARMUP_SPEC: dict[str, Any] = {
    "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
    "data": {"values": [{"x": "a", "y": 1}]},
    "mark": "bar",
    "encoding": {
        "x": {"field": "x", "type": "nominal"},
        "y": {"field": "y", "type": "quantitative"},
    },
}


def warm_up() -> bool:
    """Start the chart engine once in this process (its first start takes seconds).

    Renders a one-bar chart and throws it away; True when the engine is ready. Safe to
    call from several threads: only the first call renders.
    """
    with _warm_lock:
        if _warmed.is_set():
            return True
        started = time.perf_counter()
        try:
            _convert(WARMUP_SPEC)
        except Exception:  # a missing vl-convert shows in the dashboard's tables, not here
            log.warning("chart engine warm-up failed; charts fall back to tables", exc_info=True)
            return False
        _warmed.set()
        log.info("chart engine ready in %.1f s", time.perf_counter() - started)
        return True


def warm_up_in_background() -> threading.Thread:
    """``warm_up`` in a daemon thread, so that the app's start is not blocked."""
    thread = threading.Thread(target=warm_up, name="chart-warm-up", daemon=True)
    thread.start()
    return thread


def render_svg(spec: dict[str, Any]) -> str | None:
    """The SVG text of a spec (cached by content), or None when it cannot be rendered."""
    key = spec_key(spec)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        svg = _convert(spec)
    except Exception:  # a missing package or a rendering error must not break the page
        log.exception("chart rendering failed; the table fallback is shown")
        return None
    with _lock:
        _cache[key] = svg
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return svg


def accessible(svg: str, title: str) -> Markup:
    """Mark the SVG as one image named ``title`` (its table carries the figures).

    The SVG comes from vl-convert, which escapes every text it draws, so it is safe to
    inline; only our own attributes are added.
    """
    attrs = f'<svg role="img" aria-label="{escape(title)}" focusable="false" '
    return Markup(svg.replace("<svg ", attrs, 1))  # noqa: S704 - vl-convert output, escaped


def chart(chart_id: str, title: str, spec: dict[str, Any]) -> Chart:
    svg = render_svg(spec)
    return Chart(chart_id, title, accessible(svg, title) if svg else None)


def _breakdown(rows: Sequence[BreakdownRow]) -> list[tuple[str, int]]:
    return [(label(r.key), r.units) for r in rows]


def _top(rows: Sequence[TopSku]) -> list[tuple[str, int]]:
    return [(r.code, r.units) for r in rows]


def dashboard_charts(d: Dashboard, locale: str) -> dict[str, Chart]:
    """Every chart of the dashboard, by id (the template pairs each with its table)."""
    out: dict[str, Chart] = {}
    if d.currency:
        title = f"Revenue ({d.currency})"
        out["revenue"] = chart(
            "revenue",
            f"{title} by month",
            months_spec(
                d.series, measure="revenue", title=title, locale=locale, currency=d.currency
            ),
        )
    out["units"] = chart(
        "units",
        "Units by month",
        months_spec(d.series, measure="units", title="Units", locale=locale, mark="line"),
    )
    for chart_id, title, rows in (
        ("region", "Units by region", d.by_region),
        ("segment", "Units by segment", d.by_segment),
        ("bag_type", "Units by bag type", d.by_bag_type),
    ):
        if rows:
            out[chart_id] = chart(chart_id, title, bars_spec(_breakdown(rows), title="Units"))
    if d.top_skus:
        out["top_skus"] = chart(
            "top_skus", "Top SKUs by units", bars_spec(_top(d.top_skus), title="Units")
        )
    return out
