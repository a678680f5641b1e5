"""Streams between steps: their cursors survive the trip through the task queue as JSON, an
unreadable cursor starts the stream again instead of stopping it, and the workers run only
the configured streams."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from apps.batch.sync import JobsCursor, JobsPhase
from apps.omics.sync import CallsCursor, RunsCursor
from apps.sync.streams import REGISTRY, cursor_dump, cursor_load, registered

WHEN = datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "cursor",
    [
        JobsCursor(JobsPhase.ENDED, offset=200, round=7, started=WHEN),
        CallsCursor("run-1", paths=("/a", "/b"), walked=("/",), started=WHEN, was_ended=False),
        RunsCursor("run-group-1", offset=100, started=WHEN, was_ended=True),
    ],
)
def test_a_cursor_comes_back_equal_through_json(cursor):
    assert cursor_load(type(cursor), json.loads(json.dumps(cursor_dump(cursor)))) == cursor


def test_every_streams_default_cursor_comes_back_equal():
    for stream in registered().values():
        default = stream.cursor()
        assert cursor_load(stream.cursor, json.loads(json.dumps(cursor_dump(default)))) == default


def test_a_cursor_from_before_a_change_is_read_or_starts_again():
    # what the previous release sent: strings for phases and times, keys it no longer knows
    old = {"phase": "ended", "round": 3, "started": WHEN.isoformat(), "gone": 1}
    assert cursor_load(JobsCursor, old) == JobsCursor(JobsPhase.ENDED, round=3, started=WHEN)
    assert cursor_load(JobsCursor, {"phase": "no-such-phase"}) == JobsCursor()
    assert cursor_load(JobsCursor, {"started": "not a time"}) == JobsCursor()


def test_the_workers_run_only_the_configured_streams(settings):
    import apps.batch.sync  # noqa: F401  (imported for its functions, as the actions do)

    settings.SYNC_STREAM_MODULES = ["bench.naive_planner"]
    assert sorted(registered()) == ["naive.discover", "naive.jobs"]
    assert "batch.jobs" in REGISTRY  # known, but not run
