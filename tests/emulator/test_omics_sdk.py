"""The emulator's Omics runs as the official Python SDK sees them: RunApplication, the run
groups, runs and calls it makes, their files and their termination. RetryRuns and RunWorkflow
are in test_omics_sdk_submissions.py; tables, environments, volumes, pages, regions and types in
test_omics_sdk_resources.py.

Every call goes through `tests.emulator.sdk.call`, so a response field the SDK model does not
know fails the test. The world moves only when a test advances the ManualClock.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    RUN_ENDED,
    Demo,
    advance_until,
    cos_file,
    counts,
    demo_ids,
    distinct,
    group,
    group_history,
    refusal,
    run,
    run_application,
    runs_of,
    sdk,
    unique_name,
)

REPORT_FILES = [
    "execution_report.html",
    "execution_timeline.html",
    "execution_trace.txt",
    "pipeline_dag.html",
]


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return omics_sdk(emulator)


@pytest.fixture
def demo(emulator: Emulator) -> Demo:
    return demo_ids(emulator)


def started(clock: ManualClock, client: Any, run_uuid: str) -> dict[str, Any]:
    """Advance until the run has left INIT."""
    return advance_until(clock, lambda: run(client, run_uuid), lambda r: r["Status"] != "INIT")[-1]


# --- RunApplication, DescribeRunGroups, DescribeRuns --------------------------------------------
def test_run_application_single_run_is_one_init_run(client: Any, demo: Demo) -> None:
    name = unique_name("single")
    group_id = run_application(client, demo, Name=name, Description="one sample")

    shown = group(client, group_id)
    assert (shown["Name"], shown["Description"], shown["Status"]) == (name, "one sample", "INIT")
    assert (shown["ApplicationId"], shown["EnvironmentId"], shown["Type"]) == (
        demo.wdl_app,
        demo.env_id,
        "WDL",
    )
    assert shown["ProjectId"] == demo.project_id
    assert shown["TotalRun"] == 1 and counts(shown) == {"INIT": 1}
    assert shown["ExecutionTime"]["StartTime"] == "" and shown["ExecutionTime"]["EndTime"] == ""

    [only] = runs_of(client, group_id)
    assert only["Status"] == "INIT"
    assert (only["RunGroupId"], only["ApplicationId"], only["EnvironmentId"]) == (
        group_id,
        demo.wdl_app,
        demo.env_id,
    )
    # a single submission has no table, so no row and no user-defined id (Run,
    # https://cloud.tencent.com/document/api/1643/89100#Run)
    assert (only["TableId"], only["TableRowUuid"], only["UserDefinedId"]) == ("", "", "")


def test_new_run_group_is_listed_first(client: Any, demo: Demo) -> None:
    group_id = run_application(client, demo)
    assert sdk(client, "DescribeRunGroups", {"Limit": 1})["RunGroups"][0]["RunGroupId"] == group_id
    assert sdk(client, "DescribeRuns", {"Limit": 1})["Runs"][0]["RunGroupId"] == group_id


def test_single_run_goes_init_running_then_ends(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    group_id = run_application(client, demo)
    seen = group_history(clock, client, group_id)

    statuses = distinct([g["Status"] for g in seen])
    assert statuses[:2] == ["INIT", "RUNNING"] and len(statuses) == 3
    final = seen[-1]
    [only] = runs_of(client, group_id)
    assert only["Status"] in {"SUCCESS", "EXECUTOR_ERROR"}
    assert final["Status"] == ("COMPLETE" if only["Status"] == "SUCCESS" else "COMPLETE_ERROR")
    assert counts(final) == {only["Status"]: 1}
    assert final["ExecutionTime"]["StartTime"] and final["ExecutionTime"]["EndTime"]
    assert only["ExecutionTime"]["StartTime"] and only["ExecutionTime"]["EndTime"]


def test_table_batch_makes_one_run_per_row(client: Any, demo: Demo) -> None:
    group_id = run_application(client, demo, TableId=demo.table_id)

    shown = group(client, group_id)
    assert shown["TableId"] == demo.table_id and shown["TotalRun"] == len(demo.rows)
    runs = runs_of(client, group_id)
    # the UserDefinedId of a batch run is the first column of its row (DescribeRuns filters)
    assert sorted((r["TableRowUuid"], r["UserDefinedId"]) for r in runs) == sorted(demo.rows)
    assert {r["TableId"] for r in runs} == {demo.table_id}
    assert {r["Status"] for r in runs} == {"INIT"}


def test_table_batch_with_chosen_rows(client: Any, demo: Demo) -> None:
    chosen = demo.rows[1:3]
    group_id = run_application(
        client, demo, TableId=demo.table_id, TableRowUuids=[u for u, _ in chosen]
    )

    assert group(client, group_id)["TotalRun"] == 2
    assert sorted(
        (r["TableRowUuid"], r["UserDefinedId"]) for r in runs_of(client, group_id)
    ) == sorted(chosen)
    only = sdk(
        client,
        "DescribeRuns",
        {
            "Filters": [
                {"Name": "UserDefinedId", "Values": [chosen[0][1]]},
                {"Name": "RunGroupId", "Values": [group_id]},
            ]
        },
    )
    assert [r["TableRowUuid"] for r in only["Runs"]] == [chosen[0][0]]


def test_table_batch_counts_add_up_while_it_moves(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    group_id = run_application(client, demo, TableId=demo.table_id)
    seen = group_history(clock, client, group_id)

    assert all(sum(counts(g).values()) == g["TotalRun"] == len(demo.rows) for g in seen)
    assert distinct([g["Status"] for g in seen])[:2] == ["INIT", "RUNNING"]
    runs = runs_of(client, group_id)
    assert {r["Status"] for r in runs} <= {"SUCCESS", "EXECUTOR_ERROR"}
    all_good = all(r["Status"] == "SUCCESS" for r in runs)
    assert seen[-1]["Status"] == ("COMPLETE" if all_good else "COMPLETE_ERROR")
    assert counts(seen[-1]) == {
        s: sum(r["Status"] == s for r in runs) for s in {r["Status"] for r in runs}
    }


def test_describe_run_groups_filters(client: Any, demo: Demo) -> None:
    wdl = run_application(client, demo, Name=unique_name("flt"))
    nf = run_application(client, demo, ApplicationId=demo.nf_app, Name=unique_name("flt"))

    def ids(*filters: dict[str, Any]) -> set[str]:
        found = sdk(client, "DescribeRunGroups", {"Limit": 100, "Filters": list(filters)})
        assert found["TotalCount"] == len(found["RunGroups"])
        return {g["RunGroupId"] for g in found["RunGroups"]}

    both = {"Name": "RunGroupId", "Values": [wdl, nf]}
    assert ids(both) == {wdl, nf}  # values of one filter OR
    assert ids(both, {"Name": "Type", "Values": ["NEXTFLOW"]}) == {nf}  # filters AND
    assert ids(both, {"Name": "ApplicationId", "Values": [demo.wdl_app]}) == {wdl}
    assert ids(both, {"Name": "Status", "Values": ["COMPLETE"]}) == set()
    assert ids({"Name": "Name", "Values": [group(client, nf)["Name"]]}) == {nf}
    assert ids({"Name": "Status", "Values": ["INIT"]}) >= {wdl, nf}


def test_describe_runs_filters(client: Any, demo: Demo) -> None:
    batch = run_application(client, demo, TableId=demo.table_id)
    single = run_application(client, demo, ApplicationId=demo.nf_app)
    [single_run] = runs_of(client, single)

    def uuids(*filters: dict[str, Any]) -> set[str]:
        return {
            r["RunUuid"]
            for r in sdk(client, "DescribeRuns", {"Limit": 100, "Filters": list(filters)})["Runs"]
        }

    mine = {"Name": "RunGroupId", "Values": [batch, single]}
    assert len(uuids(mine)) == len(demo.rows) + 1
    assert uuids(mine, {"Name": "ApplicationId", "Values": [demo.nf_app]}) == {
        single_run["RunUuid"]
    }
    assert uuids({"Name": "RunUuid", "Values": [single_run["RunUuid"]]}) == {single_run["RunUuid"]}
    assert (
        len(uuids(mine, {"Name": "UserDefinedId", "Values": [demo.rows[0][1], demo.rows[1][1]]}))
        == 2
    )
    assert uuids(mine, {"Name": "Status", "Values": ["SUCCESS"]}) == set()


# --- GetRunCalls, GetRunStatus -----------------------------------------------------------------
def test_get_run_calls_top_level_then_a_sub_workflow(client: Any) -> None:
    done = sdk(
        client, "DescribeRuns", {"Limit": 1, "Filters": [{"Name": "Status", "Values": ["SUCCESS"]}]}
    )
    run_uuid = done["Runs"][0]["RunUuid"]

    top = sdk(client, "GetRunCalls", {"RunUuid": run_uuid, "Path": "/"})["Calls"]
    assert top and {c["ParentId"] for c in top} == {run_uuid}
    assert {c["Status"] for c in top} == {"COMPLETE"}  # the doc's call status for a finished call
    assert all(c["SubmitTime"] and c["StartTime"] and c["EndTime"] for c in top)
    workflows = [c for c in top if c["RunType"] == "Workflow"]
    assert workflows, "the demo application has a sub-workflow call"

    inner = sdk(client, "GetRunCalls", {"RunUuid": run_uuid, "Path": "/" + workflows[0]["RunId"]})[
        "Calls"
    ]
    assert inner and {c["ParentId"] for c in inner} == {workflows[0]["RunId"]}
    assert {c["RunType"] for c in inner} == {"Task"} and {c["Status"] for c in inner} == {
        "COMPLETE"
    }
    assert not {c["RunId"] for c in inner} & {c["RunId"] for c in top}


def test_get_run_calls_of_a_moving_run(clock: ManualClock, client: Any, demo: Demo) -> None:
    [new] = runs_of(client, run_application(client, demo))
    # not started yet: no call to show
    assert sdk(client, "GetRunCalls", {"RunUuid": new["RunUuid"], "Path": "/"})["Calls"] == []

    started(clock, client, new["RunUuid"])
    clock.advance(2)  # at most 7 s after the start: the first call (10 s or more) has not ended
    calls = sdk(client, "GetRunCalls", {"RunUuid": new["RunUuid"], "Path": "/"})["Calls"]
    assert calls, "a started run shows its first call"
    assert calls[-1]["EndTime"] == "" and calls[-1]["Status"] not in {"COMPLETE", "FAILED"}


def test_get_run_status_is_the_runs_own_status(clock: ManualClock, client: Any, demo: Demo) -> None:
    wanted = {"SUCCESS", "EXECUTOR_ERROR"}
    listed = sdk(
        client,
        "DescribeRuns",
        {"Limit": 100, "Filters": [{"Name": "Status", "Values": sorted(wanted)}]},
    )
    samples = {r["Status"]: r for r in listed["Runs"]}
    assert set(samples) == wanted, "the demo has runs that succeeded and runs that failed"
    [fresh] = runs_of(client, run_application(client, demo))
    samples["INIT"] = fresh

    for status, listed_run in samples.items():
        meta = sdk(client, "GetRunStatus", {"RunUuid": listed_run["RunUuid"]})["Metadata"]
        assert meta["Status"] == status
        assert (
            meta["RunId"] == meta["ParentId"] == listed_run["RunUuid"]
            and meta["RunType"] == "Workflow"
        )

    assert started(clock, client, fresh["RunUuid"])["Status"] == "RUNNING"
    assert (
        sdk(client, "GetRunStatus", {"RunUuid": fresh["RunUuid"]})["Metadata"]["Status"]
        == "RUNNING"
    )


# --- GetRunMetadataFile ----------------------------------------------------------------------
def _nextflow_run(clock: ManualClock, client: Any, demo: Demo, *, report: bool) -> str:
    group_id = run_application(client, demo, ApplicationId=demo.nf_app, NFOption={"Report": report})
    [only] = runs_of(client, group_id)
    started(clock, client, only["RunUuid"])
    return only["RunUuid"]


def test_nextflow_log_and_reports_when_report_was_on(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    run_uuid = _nextflow_run(clock, client, demo, report=True)

    one = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Key": "nextflow.log"})
    assert urlsplit(one["CosSignedUrl"]).scheme == "https"
    assert cos_file(one["CosSignedUrl"]) == (run_uuid, "nextflow.log")

    keys = ["nextflow.log", *REPORT_FILES]
    many = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Keys": keys})
    assert [cos_file(url) for url in many["CosSignedUrls"]] == [(run_uuid, key) for key in keys]


def test_reports_do_not_exist_when_report_was_off(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    run_uuid = _nextflow_run(clock, client, demo, report=False)

    log = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Key": "nextflow.log"})
    assert cos_file(log["CosSignedUrl"]) == (run_uuid, "nextflow.log")
    for key in REPORT_FILES:
        code = refusal(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Key": key})
        assert code == "ResourceNotFound.CosObjectNotExist"


def test_a_wdl_run_has_no_nextflow_files(client: Any) -> None:
    wdl = sdk(
        client,
        "DescribeRunGroups",
        {
            "Limit": 1,
            "Filters": [
                {"Name": "Type", "Values": ["WDL"]},
                {"Name": "Status", "Values": ["COMPLETE"]},
            ],
        },
    )
    [wdl_run, *_] = runs_of(client, wdl["RunGroups"][0]["RunGroupId"])
    code = refusal(
        client, "GetRunMetadataFile", {"RunUuid": wdl_run["RunUuid"], "Key": "nextflow.log"}
    )
    assert code == "ResourceNotFound.CosObjectNotExist"


# --- TerminateRunGroup -----------------------------------------------------------------------
def test_terminate_cancels_unfinished_runs(clock: ManualClock, client: Any, demo: Demo) -> None:
    group_id = run_application(client, demo, TableId=demo.table_id)
    # until some run is RUNNING, so termination meets both started and waiting runs
    advance_until(clock, lambda: group(client, group_id), lambda g: "RUNNING" in counts(g))
    before = {r["RunUuid"]: r["Status"] for r in runs_of(client, group_id)}

    sdk(client, "TerminateRunGroup", {"RunGroupId": group_id})

    after = {r["RunUuid"]: r["Status"] for r in runs_of(client, group_id)}
    for uuid, status in before.items():
        assert after[uuid] == (status if status in RUN_ENDED else "CANCELED")
    shown = group(client, group_id)
    assert shown["Status"] == "COMPLETE_ERROR" and shown["ExecutionTime"]["EndTime"]
    assert counts(shown)["CANCELED"] == sum(s not in RUN_ENDED for s in before.values())
    assert sum(counts(shown).values()) == shown["TotalRun"]

    clock.advance(3600)  # a canceled run never comes back to life
    assert {r["RunUuid"]: r["Status"] for r in runs_of(client, group_id)} == after
    assert group(client, group_id)["Status"] == "COMPLETE_ERROR"
    was_running = [uuid for uuid, status in before.items() if status == "RUNNING"]
    calls = sdk(client, "GetRunCalls", {"RunUuid": was_running[0], "Path": "/"})["Calls"]
    assert calls and not [c for c in calls if c["Status"] == "RUNNING"]
