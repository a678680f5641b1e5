"""A Gantt chart of a run's calls (Omics tasks/calls: label, status, start, end) as inline SVG.

"Which step is slow, and what ran in parallel?" is a question about time, which a table of
timestamps answers badly. The chart is server-rendered SVG (no JavaScript, no CDN) with
classes only, so a strict Content-Security-Policy holds; the stylesheet picks the colours.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.ui.humanize import duration
from apps.ui.markup import clean_text, css_token, ellipsize, empty_svg, num, svg

LABEL_W, RIGHT, AXIS_H, ROW_H, BAR_H, BOTTOM = 150, 24, 22, 22, 14, 6
LABEL_LIMIT = 22  # what fits in LABEL_W at the stylesheet's ~12px font
# Tick spacings a reader can count in: seconds up to a week.
_STEPS = (
    *(1, 2, 5, 10, 15, 30),
    *(60 * minutes for minutes in (1, 2, 5, 10, 15, 30)),
    *(3600 * hours for hours in (1, 2, 3, 6, 12)),
    *(86400 * days for days in (1, 2, 7)),
)
_EPOCH = datetime(1970, 1, 1)


def _ticks(first: datetime, last: datetime) -> tuple[list[datetime], str]:
    """3-5 tick times between first and last, and the strftime format for their labels.

    Ticks land on round wall-clock times (every 5 min, every hour...) in the datetimes' own
    zone; if no round spacing gives 3-5 of them, the range is split evenly into 4 instead.
    """
    span = (last - first).total_seconds()
    start = (first.replace(tzinfo=None) - _EPOCH).total_seconds()
    end = start + span
    for step in _STEPS:
        count = math.floor(end / step) - math.ceil(start / step) + 1
        if count <= 5:
            if count < 3:
                break
            begin = math.ceil(start / step) * step
            moments = [first + timedelta(seconds=begin + i * step - start) for i in range(count)]
            if step < 60:
                return moments, "%H:%M:%S"
            if step < 86400:
                return moments, "%m-%d %H:%M" if span >= 86400 else "%H:%M"
            return moments, "%m-%d"
    even = [first + timedelta(seconds=span * i / 4) for i in range(5)]
    return even, "%H:%M:%S" if span < 300 else "%H:%M" if span < 86400 else "%m-%d %H:%M"


def timeline_svg(
    bars: list[tuple[str, str, datetime | None, datetime | None]],
    *,
    now: datetime,
    width: int = 640,
    title: str,
) -> SafeString:
    """One row per (label, status, start, end), in the order given.

    A bar runs from start to end; with end None the call is still running and its bar runs to
    `now` (extra class `running`); with start None it hasn't started and is drawn as a small
    marker at `now` (class `timeline-marker pending`). An end before its start (clock skew) is
    drawn as a sliver. Classes: timeline (svg), timeline-row, timeline-label, timeline-bar,
    state-<STATUS>, running, timeline-marker, pending, timeline-tick, timeline-now,
    chart-label timeline-axis, chart-empty.
    """
    width = max(width, LABEL_W + RIGHT + 120)
    if not bars:
        return empty_svg("no calls yet", width=width, height=60, label=title, css="timeline")
    height = AXIS_H + len(bars) * ROW_H + BOTTOM
    live = any(start is None or end is None for _, _, start, end in bars)
    moments = [m for _, _, start, end in bars if start is not None for m in (start, end or now)]
    moments += [now] if live else []
    first, last = min(moments), max(moments)
    if (last - first).total_seconds() < 1:  # a single instant: give it a minute of room
        first, last = first - timedelta(seconds=30), last + timedelta(seconds=30)
    span = (last - first).total_seconds()
    plot_w = width - LABEL_W - RIGHT

    def x_of(moment: datetime) -> float:
        return LABEL_W + (moment - first).total_seconds() / span * plot_w

    ticks, fmt = _ticks(first, last)
    body: list[SafeString] = [
        format_html(
            '<line class="timeline-tick" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="chart-label timeline-axis" x="{}" y="{}" text-anchor="middle">{}</text>',
            num(x_of(t)),
            AXIS_H - 2,
            num(x_of(t)),
            height - BOTTOM,
            num(x_of(t)),
            AXIS_H - 8,
            t.strftime(fmt),
        )
        for t in ticks
    ]
    if live:  # where "now" is, so running bars visibly end at the present
        body.append(
            format_html(
                '<line class="timeline-now" x1="{}" y1="{}" x2="{}" y2="{}"/>',
                num(x_of(now)),
                AXIS_H - 2,
                num(x_of(now)),
                height - BOTTOM,
            )
        )
    for row, (label, status, start, end) in enumerate(bars):
        name, state = clean_text(label), clean_text(status)
        middle = AXIS_H + row * ROW_H + ROW_H / 2
        if start is None:
            hover = f"{name}: {state}, not started"
            mark = format_html(
                '<circle class="timeline-marker pending state-{}" cx="{}" cy="{}" r="4"/>',
                css_token(state),
                num(x_of(now)),
                num(middle),
            )
        else:
            stop = end or now
            hover = f"{name}: {state}, {duration((stop - start).total_seconds())}"
            hover += " so far" if end is None else ""
            left = x_of(start)
            mark = format_html(
                '<rect class="timeline-bar state-{}{}" x="{}" y="{}" width="{}" height="{}" rx="2"/>',
                css_token(state),
                " running" if end is None else "",
                num(left),
                num(middle - BAR_H / 2),
                num(max(2.0, x_of(stop) - left)),
                BAR_H,
            )
        body.append(
            format_html(
                '<g class="timeline-row"><title>{}</title>'
                '<text class="timeline-label" x="4" y="{}" dominant-baseline="middle">{}</text>'
                "{}</g>",
                hover,
                num(middle),
                ellipsize(name, LABEL_LIMIT),
                mark,
            )
        )
    return svg(body, width=width, height=height, label=title, css="timeline")
