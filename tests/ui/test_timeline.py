"""Gantt chart of calls: bars, running bars, unstarted markers, 3-5 ticks, escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.ui.timeline import timeline_svg
from tests.ui.helpers import HOSTILE, NS, assert_inert, child, number, parse_svg, texts

T0 = datetime(2024, 5, 1, 9, 0, 7, tzinfo=UTC)
NOW = T0 + timedelta(minutes=30)


def test_rows_bars_running_and_markers() -> None:
    bars = [
        ("align", "COMPLETE", T0, T0 + timedelta(minutes=10)),
        ("call", "RUNNING", T0 + timedelta(minutes=5), None),
        ("report", "QUEUED", None, None),
    ]
    root = parse_svg(timeline_svg(bars, now=NOW, title="Run <1>"))
    assert root.get("aria-label") == "Run <1>"
    rows = root.findall("svg:g", NS)
    assert [child(r, "svg:text").text for r in rows] == ["align", "call", "report"]
    done, running = root.findall("svg:g/svg:rect", NS)
    assert done.get("class") == "timeline-bar state-COMPLETE"
    assert running.get("class") == "timeline-bar state-RUNNING running"
    [marker] = root.findall("svg:g/svg:circle", NS)
    assert marker.get("class") == "timeline-marker pending state-QUEUED"
    [now_line] = [
        line for line in root.findall("svg:line", NS) if line.get("class") == "timeline-now"
    ]
    # the running bar ends at now, and the unstarted marker sits on it
    assert number(running, "x") + number(running, "width") == pytest.approx(
        number(now_line, "x1"), abs=0.2
    )
    assert marker.get("cx") == now_line.get("x1")
    assert texts(root, "title")[1:] == [
        "align: COMPLETE, 10 min",
        "call: RUNNING, 25 min so far",
        "report: QUEUED, not started",
    ]
    assert_inert(root)


@pytest.mark.parametrize(
    "span",
    [
        timedelta(seconds=s)
        for s in (0, 1, 7, 45, 90, 200, 601, 2222, 5 * 3600, 86399, 3 * 86400, 40 * 86400)
    ],
)
def test_three_to_five_ticks(span: timedelta) -> None:
    root = parse_svg(timeline_svg([("a", "COMPLETE", T0, T0 + span)], now=T0 + span, title="t"))
    ticks = [line for line in root.findall("svg:line", NS) if line.get("class") == "timeline-tick"]
    assert 3 <= len(ticks) <= 5
    xs = [number(t, "x1") for t in ticks]
    assert xs == sorted(xs) and 150 - 0.1 <= xs[0] and xs[-1] <= 640 - 24 + 0.1
    labels = [t for t in texts(root, "text") if t != "a"]
    assert len(labels) == len(ticks) and all(labels)


def test_round_ticks_when_possible() -> None:
    root = parse_svg(timeline_svg([("a", "X", T0, T0 + timedelta(minutes=30))], now=NOW, title="t"))
    assert [t for t in texts(root, "text") if t != "a"] == ["09:10", "09:20", "09:30"]


def test_end_before_start_is_a_sliver_and_no_now_line_when_all_ended() -> None:
    root = parse_svg(
        timeline_svg(
            [("a", "X", T0, T0 - timedelta(minutes=1)), ("b", "X", T0, NOW)], now=NOW, title="t"
        )
    )
    first = root.findall("svg:g/svg:rect", NS)[0]
    assert number(first, "width") == 2
    assert all(line.get("class") != "timeline-now" for line in root.findall("svg:line", NS))


def test_only_unstarted_calls() -> None:
    root = parse_svg(timeline_svg([("a", "QUEUED", None, None)], now=NOW, title="t"))
    assert len(root.findall("svg:g/svg:circle", NS)) == 1


def test_empty() -> None:
    assert texts(parse_svg(timeline_svg([], now=NOW, title="t")), "text") == ["no calls yet"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_labels_and_statuses(hostile: str) -> None:
    long = hostile * 3
    root = parse_svg(
        timeline_svg(
            [(long, hostile, T0, None), (hostile, hostile, None, None)], now=NOW, title=hostile
        )
    )
    assert_inert(root)
    for shape in (*root.findall("svg:g/svg:rect", NS), *root.findall("svg:g/svg:circle", NS)):
        assert all(c.isalnum() or c in "_- " for c in shape.get("class", ""))
    clean = hostile.replace("\x00", "").replace("\x1b", "")
    assert texts(root, "title")[0] == clean
    assert texts(root, "title")[1].startswith(clean * 3)  # full label on hover, cut on screen
