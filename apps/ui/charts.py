"""Inline SVG charts (monitor metrics, state counts over time) rendered on the server.

The dashboard ships no JavaScript charting library and loads nothing from a CDN, so charts
are plain SVG strings: they render in any browser, stream inside HTMX swaps, and carry no
inline styles (classes only, so a strict Content-Security-Policy holds). Colours and line
widths belong to the stylesheet; see the class names in each function's docstring.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.ui.markup import clean_text, css_token, empty_svg, num, svg

# Room for the y labels on the left and the time labels below; the plot is what remains.
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 10, 22
GRID_INTERVALS = 4


def _scale(lo: float, hi: float, *, integer: bool = False) -> tuple[float, float, float]:
    """(bottom, top, step) of an axis covering lo..hi in ~4 "nice" steps (1, 2, 2.5, 5 x 10^n)."""
    raw = (hi - lo or 1.0) / GRID_INTERVALS
    magnitude = 10 ** math.floor(math.log10(raw))
    # Counts have no half-lines: no 2.5 step, and never below 1.
    multiples = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(m * magnitude for m in multiples if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(math.ceil(step)))
    # round() absorbs float noise such as 0.30000000000000004 before ceil/floor.
    return (
        math.floor(round(lo / step, 9)) * step,
        math.ceil(round(hi / step, 9)) * step,
        step,
    )


def _short(value: float) -> str:
    """A tick value in at most ~4 characters: 0.25, 40, 1.5k, 12M."""
    for factor, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.3g}{suffix}"
    return f"{value:.3g}"


def _time_label(moment: datetime, span_seconds: float) -> str:
    # HH:MM in the datetime's own zone (callers pass localtime() values if they want that);
    # a range longer than a day adds the date, or the labels would be ambiguous.
    return moment.strftime("%m-%d %H:%M" if span_seconds >= 86400 else "%H:%M")


def _grid(
    lo: float, hi: float, step: float, *, width: float, height: float, unit: str
) -> list[SafeString]:
    """Horizontal gridlines with their labels, from lo up to hi."""
    plot_h = height - TOP - BOTTOM
    pieces: list[SafeString] = []
    value = lo
    while value <= hi + step * 1e-6:
        y = TOP + plot_h - (value - lo) / (hi - lo) * plot_h
        label = _short(value) + (unit if unit == "%" else f" {clean_text(unit)}" if unit else "")
        pieces.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                '<text class="chart-label chart-y" x="{}" y="{}" text-anchor="end" '
                'dominant-baseline="middle">{}</text>',
                LEFT,
                num(y),
                num(width - RIGHT),
                num(y),
                LEFT - 4,
                num(y),
                label,
            )
        )
        value += step
    return pieces


def _time_labels(
    first: datetime, last: datetime, *, width: float, height: float
) -> list[SafeString]:
    span = (last - first).total_seconds()
    y = num(height - 6)
    if span <= 0:
        return [
            format_html(
                '<text class="chart-label chart-x" x="{}" y="{}" text-anchor="middle">{}</text>',
                num((LEFT + width - RIGHT) / 2),
                y,
                _time_label(first, 0),
            )
        ]
    return [
        format_html(
            '<text class="chart-label chart-x" x="{}" y="{}" text-anchor="{}">{}</text>',
            x,
            y,
            anchor,
            _time_label(moment, span),
        )
        for x, anchor, moment in ((LEFT, "start", first), (width - RIGHT, "end", last))
    ]


def _x_of(first: datetime, last: datetime, width: float) -> Callable[[datetime], float]:
    span = (last - first).total_seconds()
    plot_w = width - LEFT - RIGHT
    if span <= 0:
        return lambda moment: LEFT + plot_w / 2
    return lambda moment: LEFT + (moment - first).total_seconds() / span * plot_w


def line_chart(
    series: Sequence[tuple[datetime, float | None]],
    *,
    width: int = 640,
    height: int = 160,
    unit: str = "%",
    y_max: float | None = None,
    title: str,
) -> SafeString:
    """A line over time; None (or NaN/inf) values leave a gap instead of a made-up line.

    y runs from 0 (lower if a value is negative) to `y_max`, or to a rounded-up maximum when
    `y_max` is None (pass 100 for percentages). Values above `y_max` are drawn at the top.
    Classes: chart chart-metric (svg), chart-grid, chart-label chart-y / chart-x,
    chart-line (polyline), chart-dot (a lone point between gaps), chart-empty.
    """
    width, height = max(width, 160), max(height, 80)
    points = sorted(series, key=lambda point: point[0])
    known = [v for _, v in points if v is not None and math.isfinite(v)]
    if not known:
        return empty_svg("no data yet", width=width, height=height, label=title, css="chart")
    lo = min(0.0, min(known))
    if y_max is not None and y_max > lo:
        lo, _, step = _scale(lo, y_max)
        hi = float(y_max)
    else:
        lo, hi, step = _scale(lo, max(known))
    plot_h = height - TOP - BOTTOM
    x_of = _x_of(points[0][0], points[-1][0], width)

    def y_of(value: float) -> float:
        return TOP + plot_h - (min(max(value, lo), hi) - lo) / (hi - lo) * plot_h

    # Consecutive known values form one run; a None ends it, so the gap stays visible.
    runs: list[list[str]] = [[]]
    for moment, value in points:
        if value is None or not math.isfinite(value):
            runs.append([])
        else:
            runs[-1].append(f"{num(x_of(moment))},{num(y_of(value))}")
    body = _grid(lo, hi, step, width=width, height=height, unit=unit)
    for run in filter(None, runs):
        if len(run) == 1:  # a polyline of one point is invisible
            x, y = run[0].split(",")
            body.append(format_html('<circle class="chart-dot" cx="{}" cy="{}" r="2"/>', x, y))
        else:
            body.append(
                format_html('<polyline class="chart-line" fill="none" points="{}"/>', " ".join(run))
            )
    body += _time_labels(points[0][0], points[-1][0], width=width, height=height)
    return svg(body, width=width, height=height, label=title, css="chart chart-metric")


def stacked_counts(
    points: list[tuple[datetime, dict[str, int]]],
    *,
    states: list[str],
    width: int = 640,
    height: int = 160,
    title: str,
) -> SafeString:
    """How many tasks (or instances) were in each state over time, stacked in `states` order.

    Each state is one area `<path class="state-fill state-<STATE>">` with a `<title>` giving
    its latest count (hover text); states absent throughout are left out, counts of states not
    in `states` are ignored. The legend is left to the page (e.g. state badges), where it can
    wrap. Other classes: chart chart-stacked, chart-grid, chart-label, chart-empty.
    """
    width, height = max(width, 160), max(height, 80)
    ordered = sorted(points, key=lambda point: point[0])
    if not ordered:
        return empty_svg("no data yet", width=width, height=height, label=title, css="chart")
    rows = [[max(0, int(counts.get(state, 0) or 0)) for state in states] for _, counts in ordered]
    _, hi, step = _scale(0, max(1, *(sum(row) for row in rows)), integer=True)
    plot_h = height - TOP - BOTTOM
    if len(ordered) == 1:  # one sample: show it as a band across the whole plot
        xs = [float(LEFT), float(width - RIGHT)]
        rows = rows * 2
    else:
        x_of = _x_of(ordered[0][0], ordered[-1][0], width)
        xs = [x_of(moment) for moment, _ in ordered]

    def y_of(count: float) -> float:
        return TOP + plot_h - count / hi * plot_h

    body = _grid(0, hi, step, width=width, height=height, unit="")
    below = [0] * len(rows)
    for index, state in enumerate(states):
        counts = [row[index] for row in rows]
        if not any(counts):
            continue
        above = [b + c for b, c in zip(below, counts, strict=True)]
        # Along the top edge left to right, back along the bottom edge, closed.
        edge = [f"{num(x)},{num(y_of(a))}" for x, a in zip(xs, above, strict=True)]
        edge += [f"{num(x)},{num(y_of(b))}" for x, b in reversed(list(zip(xs, below, strict=True)))]
        body.append(
            format_html(
                '<path class="state-fill state-{}" d="M{}Z"><title>{}: {}</title></path>',
                css_token(state),
                " L".join(edge),
                clean_text(state),
                counts[-1],
            )
        )
        below = above
    body += _time_labels(ordered[0][0], ordered[-1][0], width=width, height=height)
    return svg(body, width=width, height=height, label=title, css="chart chart-stacked")
