"""Relative times, durations, and the template library that exposes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Engine
from django.utils import timezone

from apps.ui.humanize import ago, duration
from apps.ui.templatetags.ui import state_badge
from tests.ui.helpers import HOSTILE

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "just now"),
        (4.9, "just now"),
        (5, "5 s ago"),
        (8, "8 s ago"),
        (59.9, "59 s ago"),
        (60, "1 min ago"),
        (4 * 60 + 59, "4 min ago"),
        (3599, "59 min ago"),
        (3600, "1 h ago"),
        (3 * 3600, "3 h ago"),
        (86399, "23 h ago"),
        (86400, "1 d ago"),
        (2 * 86400 + 5, "2 d ago"),
        (400 * 86400, "400 d ago"),
        (-3, "just now"),
        (-240, "in 4 min"),
    ],
)
def test_ago(seconds: float, expected: str) -> None:
    assert ago(NOW - timedelta(seconds=seconds), NOW) == expected


def test_ago_never() -> None:
    assert ago(None, NOW) == "never"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "\u2014"),
        (float("nan"), "\u2014"),
        (0, "0 s"),
        (0.7, "0 s"),
        (42, "42 s"),
        (59.99, "59 s"),
        (60, "1 min"),
        (185, "3 min 5 s"),
        (3599, "59 min 59 s"),
        (3600, "1 h"),
        (2 * 3600 + 4 * 60 + 59, "2 h 4 min"),
        (86399, "23 h 59 min"),
        (86400, "1 d"),
        (3 * 86400 + 2 * 3600 + 59, "3 d 2 h"),
        (-5, "0 s"),
    ],
)
def test_duration(seconds: float | None, expected: str) -> None:
    assert duration(seconds) == expected


ENGINE = Engine(libraries={"ui": "apps.ui.templatetags.ui"})


def render(source: str, **context: object) -> str:
    return ENGINE.from_string("{% load ui %}" + source).render(Context(context))


def test_filters_in_a_template() -> None:
    now = timezone.now()
    t = now - timedelta(minutes=4, seconds=2)
    out = render(
        "{{ log|ansi }}|{% for l in log|ansi_lines %}[{{ l }}]{% endfor %}|{{ t|ago }}|{{ never|ago }}"
        "|{{ s|duration }}|{{ td|duration }}|{{ junk|duration }}|{{ junk|ago }}",
        log="\x1b[31m<b>\x1b[0m\nok",
        t=t,
        never=None,
        s=185,
        td=timedelta(hours=2, minutes=4),
        junk="abc",
    )
    assert out == (
        '<span class="ansi-fg-red">&lt;b&gt;</span>\nok|[<span class="ansi-fg-red">&lt;b&gt;</span>][ok]'
        f'|<time datetime="{t.replace(microsecond=0).isoformat()}" title="{t:%Y-%m-%d %H:%M:%S} UTC \u00b7 '
        f'{t:%Y-%m-%d %H:%M:%S} UTC">4 min ago</time>|never|3 min 5 s|2 h 4 min|\u2014|'
    )


def test_times_are_shown_in_the_viewers_zone_labelled_with_utc_on_hover() -> None:
    t = datetime(2026, 12, 2, 10, 22, 36, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        out = render("{{ t|when }}|{{ t|when:'H:i' }}|{{ none|when }}", t=t, none=None)
    exact = "2026-12-02 18:22:36 UTC+8 \u00b7 2026-12-02 10:22:36 UTC"
    assert out == (
        f'<time datetime="2026-12-02T10:22:36+00:00" title="{exact}">2026-12-02 18:22:36 UTC+8</time>'
        f'|<time datetime="2026-12-02T10:22:36+00:00" title="{exact}">18:22 UTC+8</time>|\u2014'
    )
    with timezone.override("Asia/Kolkata"):
        assert "15:52 UTC+5:30" in render("{{ t|when:'H:i' }}", t=t)


def test_ago_filter_accepts_naive_datetimes() -> None:
    naive = timezone.make_naive(timezone.now() - timedelta(hours=3, minutes=1))
    assert render("{{ t|ago }}", t=naive).endswith(">3 h ago</time>")


def test_state_badge() -> None:
    assert (
        render("{% state_badge s %}", s="RUNNING")
        == '<span class="badge state-RUNNING">RUNNING</span>'
    )
    assert (
        state_badge("Brand New State")
        == '<span class="badge state-Brand_New_State">Brand New State</span>'
    )
    assert state_badge("") == '<span class="badge state-unknown">\u2014</span>'
    assert state_badge(None) == '<span class="badge state-unknown">\u2014</span>'


@pytest.mark.parametrize("hostile", HOSTILE)
def test_state_badge_escapes(hostile: str) -> None:
    out = render("{% state_badge s %}", s=hostile)
    head, text = out.removeprefix('<span class="badge state-').split('">', 1)
    assert all(c.isalnum() or c in "_-" for c in head)
    assert text.endswith("</span>")
    body = text.removesuffix("</span>")
    assert "<" not in body and '"' not in body and "'" not in body
