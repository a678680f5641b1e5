"""The emulator's Omics API (2022-11-28) as the official Python SDK sees it (omics-api.md §3-§4).

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
    ENVIRONMENT_ACTIONS,
    GROUP_ENDED,
    PLATFORM_ACTIONS,
    RUN_ENDED,
    Demo,
    advance_until,
    b64json,
    counts,
    demo_ids,
    distinct,
    finished_group,
    group,
    group_history,
    omics_world,
    refusal,
    run,
    run_application,
    runs_of,
    sdk,
    send_raw,
    terminated_batch,
    type_errors,
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
    # a single submission has no table, so no row and no user-defined id (Run, §5.16)
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


def _file_of(url: str) -> tuple[str, str]:
    """(run uuid, file name) from `…/omics/<RunUuid>/<file>` (the doc's example URL shape)."""
    *_, run_uuid, name = urlsplit(url).path.split("/")
    return run_uuid, name


def test_nextflow_log_and_reports_when_report_was_on(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    run_uuid = _nextflow_run(clock, client, demo, report=True)

    one = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Key": "nextflow.log"})
    assert urlsplit(one["CosSignedUrl"]).scheme == "https"
    assert _file_of(one["CosSignedUrl"]) == (run_uuid, "nextflow.log")

    keys = ["nextflow.log", *REPORT_FILES]
    many = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Keys": keys})
    assert [_file_of(url) for url in many["CosSignedUrls"]] == [(run_uuid, key) for key in keys]


def test_reports_do_not_exist_when_report_was_off(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    run_uuid = _nextflow_run(clock, client, demo, report=False)

    log = sdk(client, "GetRunMetadataFile", {"RunUuid": run_uuid, "Key": "nextflow.log"})
    assert _file_of(log["CosSignedUrl"]) == (run_uuid, "nextflow.log")
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
    assert _file_of(url["CosSignedUrl"]) == (only["RunUuid"], "execution_report.html")
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


# --- tables ---------------------------------------------------------------------------------
def test_describe_tables_filters(client: Any, demo: Demo) -> None:
    def ids(*filters: dict[str, Any]) -> list[str]:
        found = sdk(
            client, "DescribeTables", {"ProjectId": demo.project_id, "Filters": list(filters)}
        )
        return [t["TableId"] for t in found["Tables"]]

    [table] = sdk(client, "DescribeTables", {"ProjectId": demo.project_id})["Tables"]
    assert table["TableId"] == demo.table_id and [c["Header"] for c in table["Columns"]] == [
        "sampleId",
        "reads",
    ]
    assert ids({"Name": "TableId", "Values": [demo.table_id]}) == [demo.table_id]
    assert ids({"Name": "Name", "Values": [table["Name"]]}) == [demo.table_id]
    assert ids({"Name": "Name", "Values": ["no such table"]}) == []


def test_describe_tables_rows_fuzzy_tr_and_row_uuid(client: Any, demo: Demo) -> None:
    def rows(*filters: dict[str, Any]) -> list[str]:
        found = sdk(
            client,
            "DescribeTablesRows",
            {"ProjectId": demo.project_id, "TableId": demo.table_id, "Filters": list(filters)},
        )
        assert found["TotalCount"] == len(found["Rows"])
        return [r["TableRowUuid"] for r in found["Rows"]]

    every = [uuid for uuid, _ in demo.rows]
    assert rows() == every
    first_uuid, first_id = demo.rows[0]
    assert rows({"Name": "Tr", "Values": [first_id]}) == [first_uuid]  # a whole cell
    prefix = first_id[:-1]  # a part of the first column, shared by several rows
    sharing = [uuid for uuid, user_id in demo.rows if user_id.startswith(prefix)]
    assert len(sharing) > 1 and rows({"Name": "Tr", "Values": [prefix]}) == sharing
    assert rows({"Name": "Tr", "Values": ["fastq"]}) == every  # a part of the second column
    assert rows({"Name": "Tr", "Values": ["no-such-text"]}) == []
    assert rows({"Name": "TableRowUuid", "Values": every[2:4]}) == every[2:4]
    assert (
        rows({"Name": "Tr", "Values": [first_id]}, {"Name": "TableRowUuid", "Values": every[1:3]})
        == []
    )

    [row] = sdk(
        client,
        "DescribeTablesRows",
        {"ProjectId": demo.project_id, "TableId": demo.table_id, "Limit": 1},
    )["Rows"]
    assert row["Content"][0] == first_id and len(row["Content"]) == 2


# --- environments and volumes -----------------------------------------------------------------
def test_describe_environments_filters(client: Any, demo: Demo) -> None:
    def ids(*filters: dict[str, Any]) -> set[str]:
        return {
            e["EnvironmentId"]
            for e in sdk(client, "DescribeEnvironments", {"Filters": list(filters)})["Environments"]
        }

    assert ids() == {demo.env_id, demo.broken_env_id}
    assert ids({"Name": "Status", "Values": ["RUNNING"]}) == {demo.env_id}
    assert ids({"Name": "Status", "Values": ["RUNNING", "ERROR"]}) == {
        demo.env_id,
        demo.broken_env_id,
    }
    assert (
        ids({"Name": "Status", "Values": ["RUNNING"]}, {"Name": "Name", "Values": ["gpu-env"]})
        == set()
    )
    assert ids({"Name": "Name", "Values": ["gpu-env"]}) == {demo.broken_env_id}
    assert ids({"Name": "EnvironmentId", "Values": [demo.env_id]}) == {demo.env_id}
    [broken] = sdk(
        client,
        "DescribeEnvironments",
        {"Filters": [{"Name": "EnvironmentId", "Values": [demo.broken_env_id]}]},
    )["Environments"]
    assert broken["Available"] is False and broken["Status"] == "ERROR" and broken["Message"]


def test_describe_volumes_filters(client: Any, demo: Demo) -> None:
    def ids(*filters: dict[str, Any]) -> list[str]:
        found = sdk(
            client, "DescribeVolumes", {"EnvironmentId": demo.env_id, "Filters": list(filters)}
        )
        return [v["VolumeId"] for v in found["Volumes"]]

    assert ids() == [demo.volume_id]
    assert ids({"Name": "IsDefault", "Values": ["true"]}) == [demo.volume_id]
    assert ids({"Name": "IsDefault", "Values": ["false"]}) == []
    [volume] = sdk(client, "DescribeVolumes", {"EnvironmentId": demo.env_id})["Volumes"]
    assert ids({"Name": "Name", "Values": [volume["Name"]]}) == [demo.volume_id]
    assert volume["EnvironmentId"] == demo.env_id and volume["IsDefault"] is True
    # the broken environment has no volume of its own
    assert sdk(client, "DescribeVolumes", {"EnvironmentId": demo.broken_env_id})["TotalCount"] == 0


# --- pagination -----------------------------------------------------------------------------
def _seed_environments(emulator: Emulator, client: Any, demo: Demo) -> dict[str, Any]:
    # CreateEnvironment is not implemented, so the world is seeded directly.
    world = omics_world(emulator)
    with world.lock:
        template = world.environments[demo.env_id]
        for i in range(25):
            env_id = f"env-page{i:04d}"
            world.environments[env_id] = {
                **template,
                "EnvironmentId": env_id,
                "Name": f"page-{i}",
                "IsDefault": False,
            }
    return {}


def _seed_volumes(emulator: Emulator, client: Any, demo: Demo) -> dict[str, Any]:
    world = omics_world(emulator)  # CreateVolume is not implemented either
    with world.lock:
        template = world.volumes[demo.volume_id]
        for i in range(25):
            vol_id = f"vol-page{i:04d}"
            world.volumes[vol_id] = {
                **template,
                "VolumeId": vol_id,
                "Name": f"page-{i}",
                "IsDefault": False,
            }
    return {"EnvironmentId": demo.env_id}


def _seed_tables(emulator: Emulator, client: Any, demo: Demo) -> dict[str, Any]:
    world = omics_world(emulator)  # ImportTableFile is not implemented
    with world.lock:
        template = world.tables[demo.table_id]
        for i in range(14):
            world.tables[f"tab-page-{i:04d}"] = {
                **template,
                "TableId": f"tab-page-{i:04d}",
                "Name": f"page-{i}",
            }
    return {"ProjectId": demo.project_id}


def _seed_rows(emulator: Emulator, client: Any, demo: Demo) -> dict[str, Any]:
    world = omics_world(emulator)
    with world.lock:
        rows = world.tables[demo.table_id]["_rows"]
        rows.extend(
            {
                "TableRowUuid": f"00000000-0000-4000-8000-{i:012d}",
                "Content": [f"X{i:03d}", "cos://x/y"],
            }
            for i in range(14)
        )
    return {"ProjectId": demo.project_id, "TableId": demo.table_id}


def _submit_groups(emulator: Emulator, client: Any, demo: Demo) -> dict[str, Any]:
    for _ in range(11):
        run_application(client, demo)
    return {}


# (action, list member, id member, documented default Limit, setup making more items than it)
PAGED = [
    ("DescribeEnvironments", "Environments", "EnvironmentId", 20, _seed_environments),
    ("DescribeVolumes", "Volumes", "VolumeId", 20, _seed_volumes),
    ("DescribeRunGroups", "RunGroups", "RunGroupId", 10, _submit_groups),
    ("DescribeRuns", "Runs", "RunUuid", 10, _submit_groups),
    ("DescribeTables", "Tables", "TableId", 10, _seed_tables),
    ("DescribeTablesRows", "Rows", "TableRowUuid", 10, _seed_rows),
]


@pytest.mark.parametrize(
    ("action", "member", "key", "default", "setup"), PAGED, ids=[p[0] for p in PAGED]
)
def test_pagination_default_and_maximum(
    emulator: Emulator,
    client: Any,
    demo: Demo,
    action: str,
    member: str,
    key: str,
    default: int,
    setup: Any,
) -> None:
    base = setup(emulator, client, demo)

    first = sdk(client, action, base)
    total = first["TotalCount"]
    assert total > default and len(first[member]) == default

    everything = sdk(client, action, {**base, "Limit": 100})
    assert len(everything[member]) == total <= 100
    rest = sdk(client, action, {**base, "Offset": default, "Limit": 100})
    assert [x[key] for x in first[member] + rest[member]] == [x[key] for x in everything[member]]
    assert sdk(client, action, {**base, "Offset": total})[member] == []
    assert refusal(client, action, {**base, "Limit": 101}) == "InvalidParameterValue"


# --- regions --------------------------------------------------------------------------------
@pytest.mark.parametrize("action", PLATFORM_ACTIONS)
def test_platform_actions_refuse_nanjing(emulator: Emulator, action: str) -> None:
    assert refusal(omics_sdk(emulator, region="ap-nanjing"), action, {}) == "UnsupportedRegion"


@pytest.mark.parametrize("region", ["ap-beijing", "ap-shanghai"])
def test_platform_actions_answer_in_the_other_regions(emulator: Emulator, region: str) -> None:
    # a region the demo did not populate is an empty world of its own
    other = omics_sdk(emulator, region=region)
    assert sdk(other, "DescribeRunGroups")["TotalCount"] == 0
    assert sdk(other, "DescribeRuns")["TotalCount"] == 0


def test_environment_actions_accept_nanjing(emulator: Emulator) -> None:
    nanjing = omics_sdk(emulator, region="ap-nanjing")
    [env] = sdk(nanjing, "DescribeEnvironments")["Environments"]
    assert env["Region"] == "ap-nanjing" and env["Available"] is True
    assert (
        sdk(nanjing, "DescribeVolumes", {"EnvironmentId": env["EnvironmentId"]})["TotalCount"] == 1
    )


@pytest.mark.parametrize("action", [*ENVIRONMENT_ACTIONS, *PLATFORM_ACTIONS])
def test_a_request_without_region_is_refused(emulator: Emulator, action: str) -> None:
    assert refusal(omics_sdk(emulator, region=""), action, {}) == "MissingParameter"


@pytest.mark.parametrize("action", ENVIRONMENT_ACTIONS)
def test_a_region_outside_the_product_is_refused(emulator: Emulator, action: str) -> None:
    assert refusal(omics_sdk(emulator, region="ap-tokyo"), action, {}) == "UnsupportedRegion"


def test_each_region_is_its_own_world(emulator: Emulator, client: Any, demo: Demo) -> None:
    group_id = run_application(client, demo)
    beijing = omics_sdk(emulator, region="ap-beijing")
    found = sdk(
        beijing, "DescribeRunGroups", {"Filters": [{"Name": "RunGroupId", "Values": [group_id]}]}
    )
    assert found["TotalCount"] == 0
    assert group(client, group_id)["RunGroupId"] == group_id


# --- every member typed as the SDK declares it --------------------------------------------------
def test_every_answer_has_the_sdk_models_types(clock: ManualClock, client: Any, demo: Demo) -> None:
    """Read every list and detail action over a world with groups in every phase; each member
    must have the type the SDK model declares (the SDK itself never checks) and each time the
    documented format."""
    terminated_batch(client, demo, rows=2)
    moving = run_application(
        client,
        demo,
        TableId=demo.table_id,
        ApplicationId=demo.nf_app,
        NFOption={"Report": True},
        Option={"FailureMode": "NoNewCalls", "UseCallCache": True, "UseErrorOnHold": False},
        VolumeIds=[demo.volume_id],
    )
    sdk(
        client,
        "RunWorkflow",
        {
            "Name": unique_name("wf"),
            "EnvironmentId": demo.env_id,
            "Type": "NEXTFLOW",
            "GitSource": {"GitHttpPath": "https://github.com/nf-core/rnaseq", "Tag": "3.14"},
            "NFOption": {},
            "InputCosUri": "cos://bucket/input.json",
        },
    )
    advance_until(clock, lambda: group(client, moving), lambda g: "RUNNING" in counts(g))
    run_application(client, demo)  # and one still INIT

    answers = {
        action: send_raw(client, action, params)
        for action, params in [
            ("DescribeEnvironments", {"Limit": 100}),
            ("DescribeVolumes", {"EnvironmentId": demo.env_id}),
            ("DescribeRunGroups", {"Limit": 100}),
            ("DescribeRuns", {"Limit": 100}),
            ("DescribeTables", {"ProjectId": demo.project_id}),
            ("DescribeTablesRows", {"ProjectId": demo.project_id, "TableId": demo.table_id}),
        ]
    }
    runs = answers["DescribeRuns"]["Runs"]
    assert {"INIT", "RUNNING", "CANCELED", "SUCCESS"} <= {r["Status"] for r in runs}
    for listed in runs:
        answers[f"GetRunStatus {listed['RunUuid']}"] = send_raw(
            client, "GetRunStatus", {"RunUuid": listed["RunUuid"]}
        )
        calls = send_raw(client, "GetRunCalls", {"RunUuid": listed["RunUuid"], "Path": "/"})
        answers[f"GetRunCalls {listed['RunUuid']}"] = calls
        for workflow in (c for c in calls["Calls"] if c["RunType"] == "Workflow"):
            answers[f"GetRunCalls {workflow['RunId']}"] = send_raw(
                client,
                "GetRunCalls",
                {"RunUuid": listed["RunUuid"], "Path": "/" + workflow["RunId"]},
            )

    errors = [
        f"{name}: {error}"
        for name, answer in answers.items()
        for error in type_errors(f"{name.split()[0]}Response", answer)
    ]
    assert errors == []


def test_type_errors_sees_what_it_must() -> None:
    # the checker itself, so the sweep above cannot pass by checking nothing
    assert (
        type_errors(
            "Volume", {"Capacity": 1024, "BandwidthLimit": 380.0, "IsDefault": True, "Status": None}
        )
        == []
    )
    assert type_errors("Volume", {"Capacity": 1.5}) == ["Capacity: 1.5 is not int"]
    assert type_errors("Volume", {"IsDefault": "true"}) == ["IsDefault: 'true' is not bool"]
    assert type_errors("Volume", {"Colour": "blue"}) == ["Colour: not a member of Volume"]
    assert type_errors("TableRow", {"Content": "a,b"}) == ["Content: 'a,b' is not a list"]
    assert type_errors("Run", {"ExecutionTime": {"StartTime": "2024-06-06 16:32:16"}}) == [
        "ExecutionTime.StartTime: '2024-06-06 16:32:16' is not the documented time format"
    ]
    assert (
        type_errors(
            "Run", {"ExecutionTime": {"StartTime": "", "EndTime": "2024-06-06T16:42:52+08:00"}}
        )
        == []
    )
    assert type_errors("Table", {"CreateTime": "2023-03-16T16:44:24+08:00"}) != []
    assert type_errors("RunGroup", {"RunStatusCounts": [{"Status": "SUCCESS", "Count": "1"}]}) == [
        "RunStatusCounts.Count: '1' is not int"
    ]
