"""The other two ways to make an Omics run group, as the official Python SDK sees them:
RetryRuns and RunWorkflow. The world moves only when a test advances the ManualClock.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    GROUP_ENDED,
    Demo,
    advance_until,
    b64json,
    cos_file,
    counts,
    demo_ids,
    finished_group,
    group,
    run,
    runs_of,
    sdk,
    terminated_batch,
    unique_name,
)


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return omics_sdk(emulator)


@pytest.fixture
def demo(emulator: Emulator) -> Demo:
    return demo_ids(emulator)


def started(clock: ManualClock, client: Any, run_uuid: str) -> dict[str, Any]:
    """Advance until the run has left INIT."""
    return advance_until(clock, lambda: run(client, run_uuid), lambda r: r["Status"] != "INIT")[-1]


# --- RetryRuns ------------------------------------------------------------------------------
def test_retry_a_run_group(client: Any, demo: Demo) -> None:
    old, old_runs = terminated_batch(client, demo, rows=3)
    new = sdk(client, "RetryRuns", {"RunGroupId": old})["RunGroupId"]

    assert new != old
    shown = group(client, new)
    assert shown["Status"] == "INIT" and shown["TotalRun"] == 3 and counts(shown) == {"INIT": 3}
    assert (shown["ApplicationId"], shown["EnvironmentId"]) == (demo.wdl_app, demo.env_id)
    new_runs = runs_of(client, new)
    assert sorted(r["UserDefinedId"] for r in new_runs) == sorted(
        r["UserDefinedId"] for r in old_runs
    )
    assert not {r["RunUuid"] for r in new_runs} & {r["RunUuid"] for r in old_runs}
    # the retried group is left as it was
    assert group(client, old)["Status"] == "COMPLETE_ERROR" and counts(group(client, old)) == {
        "CANCELED": 3
    }


def test_retry_single_runs_and_runs_within_a_group(client: Any, demo: Demo) -> None:
    old, old_runs = terminated_batch(client, demo, rows=3)
    one = sdk(client, "RetryRuns", {"RunUuids": [old_runs[0]["RunUuid"]]})["RunGroupId"]
    two = sdk(
        client, "RetryRuns", {"RunGroupId": old, "RunUuids": [r["RunUuid"] for r in old_runs[1:]]}
    )["RunGroupId"]

    assert len({old, one, two}) == 3  # each retry is a new run group
    assert [r["UserDefinedId"] for r in runs_of(client, one)] == [old_runs[0]["UserDefinedId"]]
    assert sorted(r["UserDefinedId"] for r in runs_of(client, two)) == sorted(
        r["UserDefinedId"] for r in old_runs[1:]
    )
    # retrying the same run again is yet another group
    again = sdk(client, "RetryRuns", {"RunUuids": [old_runs[0]["RunUuid"]]})["RunGroupId"]
    assert again not in {old, one, two}


def test_retry_a_failed_demo_run(client: Any) -> None:
    failed = sdk(
        client,
        "DescribeRuns",
        {"Limit": 1, "Filters": [{"Name": "Status", "Values": ["EXECUTOR_ERROR"]}]},
    )
    assert failed["Runs"], "the demo (seed 1) has a run that failed"
    source = failed["Runs"][0]
    new = sdk(client, "RetryRuns", {"RunUuids": [source["RunUuid"]]})["RunGroupId"]
    assert new != source["RunGroupId"]
    [retried] = runs_of(client, new)
    assert retried["Status"] == "INIT" and retried["ApplicationId"] == source["ApplicationId"]


def test_retry_options_default_to_the_source_and_can_be_overridden(client: Any, demo: Demo) -> None:
    option = {"FailureMode": "ContinueWhilePossible", "UseCallCache": False, "UseErrorOnHold": True}
    old, _ = terminated_batch(client, demo, rows=1)
    # without WDLOption the source group's options are kept
    kept = group(client, sdk(client, "RetryRuns", {"RunGroupId": old})["RunGroupId"])
    assert kept["Option"] == group(client, old)["Option"]

    changed = group(
        client, sdk(client, "RetryRuns", {"RunGroupId": old, "WDLOption": option})["RunGroupId"]
    )
    assert {k: changed["Option"][k] for k in option} == option


# --- RunWorkflow ----------------------------------------------------------------------------
def test_run_workflow_runs_a_nextflow_pipeline_from_git(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    name = unique_name("wf")
    group_id = sdk(
        client,
        "RunWorkflow",
        {
            "Name": name,
            "EnvironmentId": demo.env_id,
            "Type": "NEXTFLOW",
            "GitSource": {
                "GitHttpPath": "https://e.coding.net/omics/test/taxprofiler.git",
                "Branch": "master",
            },
            "NFOption": {"Profile": "test", "Report": True},
            "InputCosUri": "cos://bucket-10000/nextflow/taxprofiler/input/input.json",
        },
    )["RunGroupId"]

    shown = group(client, group_id)
    assert (shown["Name"], shown["Type"], shown["Status"], shown["TotalRun"]) == (
        name,
        "NEXTFLOW",
        "INIT",
        1,
    )
    assert shown["ApplicationId"] == "" and shown["NFOption"]["Profile"] == "test"
    assert (shown["InputType"], shown["InputCosUri"]) == (
        "COS",
        "cos://bucket-10000/nextflow/taxprofiler/input/input.json",
    )
    [only] = runs_of(client, group_id)
    started(clock, client, only["RunUuid"])
    url = sdk(
        client, "GetRunMetadataFile", {"RunUuid": only["RunUuid"], "Key": "execution_report.html"}
    )
    assert cos_file(url["CosSignedUrl"]) == (only["RunUuid"], "execution_report.html")
    assert finished_group(clock, client, group_id)["Status"] in GROUP_ENDED


def test_run_workflow_with_base64_input(client: Any, demo: Demo) -> None:
    group_id = sdk(
        client,
        "RunWorkflow",
        {
            "Name": unique_name("wf"),
            "EnvironmentId": demo.env_id,
            "Type": "NEXTFLOW",
            "GitSource": {"GitHttpPath": "https://github.com/nf-core/taxprofiler"},
            "NFOption": {},
            "InputBase64": b64json({"input": "cos://bucket/samplesheet.csv"}),
        },
    )["RunGroupId"]
    assert group(client, group_id)["InputType"] == "JSON"
