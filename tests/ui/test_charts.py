"""Line and stacked-area SVG charts: well-formed, class-only, escaped, gaps kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.ui.charts import line_chart, stacked_counts
from tests.ui.helpers import HOSTILE, NS, assert_inert, parse_svg, texts

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def minutes(values: list[float | None]) -> list[tuple[datetime, float | None]]:
    return [(T0 + timedelta(minutes=i), v) for i, v in enumerate(values)]


def test_line_chart_structure() -> None:
    root = parse_svg(line_chart(minutes([10, 20, 30, 40]), title="CPU", y_max=100))
    assert root.get("role") == "img" and root.get("aria-label") == "CPU"
    assert root.get("viewBox") == "0 0 640 160"
    assert root.get("preserveAspectRatio") is None  # text must not be stretched
    assert texts(root, "title")[0] == "CPU"
    [line] = root.findall("svg:polyline", NS)
    assert len(line.get("points", "").split()) == 4
    labels = texts(root, "text")
    assert "0%" in labels and "100%" in labels
    assert labels[-2:] == ["09:30", "09:33"]  # first and last time, HH:MM
    assert_inert(root)


def test_line_chart_gap_on_none() -> None:
    root = parse_svg(line_chart(minutes([1, 2, None, 4, 5, None, None, 8]), title="x"))
    runs = [p.get("points", "").split() for p in root.findall("svg:polyline", NS)]
    assert [len(run) for run in runs] == [2, 2]
    assert len(root.findall("svg:circle", NS)) == 1  # the lone 8 between gaps is a dot
    # the gap really is a gap: the second run starts right of where the first ended
    assert float(runs[1][0].split(",")[0]) > float(runs[0][-1].split(",")[0])


def test_line_chart_nan_is_a_gap_and_values_are_clamped() -> None:
    root = parse_svg(line_chart(minutes([50, float("nan"), 150, 160]), title="x", y_max=100))
    [line] = root.findall("svg:polyline", NS)
    ys = {point.split(",")[1] for point in line.get("points", "").split()}
    assert ys == {"10"}  # both above y_max: drawn at the top edge (TOP = 10)


def test_line_chart_auto_scale_and_unit() -> None:
    root = parse_svg(line_chart(minutes([0, 1234567, 900000]), title="net", unit="B/s"))
    labels = texts(root, "text")
    assert "0 B/s" in labels and any(label.endswith("M B/s") for label in labels)


@pytest.mark.parametrize("series", [[], [(T0, None), (T0 + timedelta(minutes=1), None)]])
def test_line_chart_without_data(series: list) -> None:
    root = parse_svg(line_chart(series, title="Memory"))
    assert texts(root, "text") == ["no data yet"]


def test_line_chart_single_point_and_unsorted_input() -> None:
    root = parse_svg(line_chart([(T0, 5.0)], title="x"))
    assert len(root.findall("svg:circle", NS)) == 1
    shuffled = minutes([1, 2, 3])[::-1]
    assert line_chart(shuffled, title="x") == line_chart(minutes([1, 2, 3]), title="x")


def test_line_chart_long_range_labels_carry_the_date() -> None:
    series = [(T0, 1.0), (T0 + timedelta(days=2), 2.0)]
    assert texts(parse_svg(line_chart(series, title="x")), "text")[-2:] == [
        "05-01 09:30",
        "05-03 09:30",
    ]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_line_chart_escapes_title_and_unit(hostile: str) -> None:
    for markup in (
        line_chart(minutes([1, 2]), title=hostile, unit=hostile),
        line_chart([], title=hostile),
    ):
        root = parse_svg(markup)
        assert_inert(root)
        clean = hostile.replace("\x00", "").replace("\x1b", "")
        assert root.get("aria-label") == clean and texts(root, "title")[0] == clean


STATES = ["SUCCEED", "RUNNING", "PENDING", "FAILED"]


def test_stacked_counts_paths_per_state() -> None:
    points = [
        (T0 + timedelta(minutes=i), {"PENDING": 5 - i, "RUNNING": 2, "SUCCEED": i, "OTHER": 9})
        for i in range(6)
    ]
    root = parse_svg(stacked_counts(points, states=STATES, title="Tasks"))
    paths = root.findall("svg:path", NS)
    # FAILED is zero throughout and OTHER isn't asked for: neither is drawn.
    assert [p.get("class") for p in paths] == [
        "state-fill state-SUCCEED",
        "state-fill state-RUNNING",
        "state-fill state-PENDING",
    ]
    assert texts(root, "title")[1:] == ["SUCCEED: 5", "RUNNING: 2", "PENDING: 0"]
    assert all(p.get("d", "").startswith("M") and p.get("d", "").endswith("Z") for p in paths)
    assert "7" not in texts(root, "text")  # total is 7: the axis rounds up to a whole step
    assert texts(root, "text")[:5] == ["0", "2", "4", "6", "8"]
    assert_inert(root)


def test_stacked_counts_single_point_and_empty() -> None:
    root = parse_svg(stacked_counts([(T0, {"RUNNING": 3})], states=STATES, title="x"))
    assert len(root.findall("svg:path", NS)) == 1
    root = parse_svg(stacked_counts([], states=STATES, title="x"))
    assert texts(root, "text") == ["no data yet"]
    root = parse_svg(stacked_counts([(T0, {}), (T0, {})], states=STATES, title="x"))
    assert root.findall("svg:path", NS) == []


@pytest.mark.parametrize("hostile", HOSTILE)
def test_stacked_counts_escapes_states_and_title(hostile: str) -> None:
    points = [(T0, {hostile: 2}), (T0 + timedelta(minutes=1), {hostile: 3})]
    root = parse_svg(stacked_counts(points, states=[hostile], title=hostile))
    assert_inert(root)
    [path] = root.findall("svg:path", NS)
    state_class = path.get("class", "").split()[1]
    assert state_class.startswith("state-")
    assert all(c.isalnum() or c in "_-" for c in state_class)
