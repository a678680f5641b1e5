"""Omics records parse the doc's own examples, and tolerate what the doc does not promise."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from apps.omics import api

EXAMPLES = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "doc_examples" / "omics.json").read_text()
)


def example(action: str) -> dict[str, Any]:
    return next(e["response"] for e in EXAMPLES if e["action"] == action)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-15T20:53:13+08:00", datetime(2023, 3, 15, 12, 53, 13, tzinfo=UTC)),
        ("2023-03-15T20:53:13", datetime(2023, 3, 15, 12, 53, 13, tzinfo=UTC)),  # Beijing time
        ("", None),  # not reached yet
        ("yesterday", None),
        (None, None),
        (1678884793, None),
    ],
)
def test_times_are_read_tolerantly(text, expected):
    assert api.parse_time(text) == expected


def test_a_run_group_of_the_doc():
    group = api.RunGroupRecord.from_api(example("DescribeRunGroups")["RunGroups"][0])
    assert group.run_group_id == "run-ashamed-turquoise-rooster-131773"
    assert (group.status, group.type, group.total_run) == ("COMPLETE", "WDL", 1)
    assert group.status_counts == {"SUCCESS": 1}
    assert group.ended_at == datetime(2023, 3, 15, 12, 53, 23, tzinfo=UTC)


def test_a_run_of_the_doc():
    run = api.RunRecord.from_api(example("DescribeRuns")["Runs"][0])
    assert (run.run_uuid, run.status) == ("5a66a302-193b-4977-8a43-b4e2e5abd74c", "SUCCESS")
    assert run.started_at is not None and run.input.endswith("input.json")


def test_a_call_of_the_doc_leads_to_its_children():
    call = api.CallRecord.from_api(example("GetRunCalls")["Calls"][0])
    assert (call.name, call.run_type, call.status) == ("sub_workflow", "Workflow", "COMPLETE")
    assert call.has_children and call.call_id == "ed4199e3-3513-444e-9090-3413fd6d3e44"


def test_environments_and_volumes_of_the_doc():
    env = api.EnvironmentRecord.from_api(example("DescribeEnvironments")["Environments"][0])
    assert (env.environment_id, env.status, env.available) == ("env-lljckw12", "RUNNING", True)
    assert env.created_at is not None  # CreationTime, not CreateTime
    volume = api.VolumeRecord.from_api(example("DescribeVolumes")["Volumes"][0])
    assert (volume.volume_id, volume.usage, volume.is_default) == (
        "vol-8w7rfq4b",
        973150879744,
        True,
    )


def test_unexpected_shapes_become_empty_values():
    group = api.RunGroupRecord.from_api(
        {
            "RunGroupId": "run-x",
            "Status": "PAUSED",
            "TotalRun": "many",
            "RunStatusCounts": "n/a",
            "ExecutionTime": None,
            "UpdateTime": "soon",
        }
    )
    assert (group.status, group.total_run, group.status_counts) == ("PAUSED", 0, {})
    assert group.started_at is group.ended_at is group.updated_at is None
