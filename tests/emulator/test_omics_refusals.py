"""The documented Omics refusals (https://cloud.tencent.com/document/api/1643/89109 and each
action's error list), as the official SDK raises them: `TencentCloudSDKException.code` is what a
caller branches on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    Demo,
    advance_until,
    b64json,
    demo_ids,
    finished_group,
    group,
    omics_world,
    refusal,
    run,
    run_application,
    runs_of,
    sdk,
    terminated_batch,
    unique_name,
)

NO_RUN = "00000000-0000-4000-8000-000000000000"
NO_GROUP = "run-missing-nothing-here-000000"
GIT = {"GitHttpPath": "https://e.coding.net/omics/test/taxprofiler.git", "Branch": "master"}


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return omics_sdk(emulator)


@pytest.fixture
def demo(emulator: Emulator) -> Demo:
    return demo_ids(emulator)


def total_groups(client: Any) -> int:
    return int(sdk(client, "DescribeRunGroups")["TotalCount"])


def a_run_with_status(client: Any, status: str) -> dict[str, Any]:
    found = sdk(
        client, "DescribeRuns", {"Limit": 1, "Filters": [{"Name": "Status", "Values": [status]}]}
    )
    assert found["Runs"], f"the demo has a {status} run"
    return found["Runs"][0]


def workflow_params(demo: Demo, **overrides: Any) -> dict[str, Any]:
    return {
        "Name": unique_name("wf"),
        "EnvironmentId": demo.env_id,
        "GitSource": GIT,
        "Type": "NEXTFLOW",
        "NFOption": {},
        "InputBase64": b64json({}),
        **overrides,
    }


def application_params(demo: Demo, **overrides: Any) -> dict[str, Any]:
    return {
        "ApplicationId": demo.wdl_app,
        "Name": unique_name("app"),
        "EnvironmentId": demo.env_id,
        "InputBase64": b64json({}),
        **overrides,
    }


# --- RetryRuns --------------------------------------------------------------------------------
def test_retry_of_a_successful_run_is_refused(client: Any) -> None:
    done = a_run_with_status(client, "SUCCESS")
    assert (
        refusal(client, "RetryRuns", {"RunUuids": [done["RunUuid"]]})
        == "FailedOperation.StatusNotSupported"
    )


def test_retry_of_a_group_whose_runs_all_succeeded_is_refused(client: Any) -> None:
    complete = sdk(
        client,
        "DescribeRunGroups",
        {"Limit": 1, "Filters": [{"Name": "Status", "Values": ["COMPLETE"]}]},
    )
    group_id = complete["RunGroups"][0]["RunGroupId"]
    before = total_groups(client)
    assert (
        refusal(client, "RetryRuns", {"RunGroupId": group_id})
        == "FailedOperation.StatusNotSupported"
    )
    assert total_groups(client) == before  # a refused retry makes no run group


def test_retry_of_a_running_or_waiting_run_is_refused(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    [waiting] = runs_of(client, run_application(client, demo))
    assert (
        refusal(client, "RetryRuns", {"RunUuids": [waiting["RunUuid"]]})
        == "FailedOperation.StatusNotSupported"
    )

    running = advance_until(
        clock, lambda: run(client, waiting["RunUuid"]), lambda r: r["Status"] != "INIT"
    )[-1]
    assert running["Status"] == "RUNNING"
    assert (
        refusal(client, "RetryRuns", {"RunUuids": [running["RunUuid"]]})
        == "FailedOperation.StatusNotSupported"
    )
    code = refusal(
        client, "RetryRuns", {"RunGroupId": running["RunGroupId"], "RunUuids": [running["RunUuid"]]}
    )
    assert code == "FailedOperation.StatusNotSupported"


def test_retrying_over_and_over_hits_the_retry_limit(client: Any, demo: Demo) -> None:
    """Retry the retry of the retry...: the doc states no limit value, so the test only wants
    the refusal to come, and well before ten generations."""
    group_id, _ = terminated_batch(client, demo, rows=1)
    retries: list[str] = []
    for _ in range(10):
        try:
            group_id = sdk(client, "RetryRuns", {"RunGroupId": group_id})["RunGroupId"]
        except TencentCloudSDKException as error:
            assert error.code == "FailedOperation.RetryLimitExceeded", error
            break
        retries.append(group_id)
        # its runs CANCELED, the new group may be retried in turn
        sdk(client, "TerminateRunGroup", {"RunGroupId": group_id})
    else:
        pytest.fail("ten retries in a row were all accepted")
    assert retries, "at least one retry is allowed"
    assert len(set(retries)) == len(retries)


def test_retry_of_a_run_outside_the_given_group(client: Any, demo: Demo) -> None:
    one, _ = terminated_batch(client, demo, rows=1)
    _, other_runs = terminated_batch(client, demo, rows=1)
    code = refusal(client, "RetryRuns", {"RunGroupId": one, "RunUuids": [other_runs[0]["RunUuid"]]})
    assert code == "ResourceNotFound.RunNotExist"


def test_retry_needs_a_group_or_runs(client: Any) -> None:
    before = total_groups(client)
    # the doc documents three modes and no code for none of them
    assert refusal(client, "RetryRuns", {}) in {
        "MissingParameter",
        "InvalidParameter",
        "InvalidParameterValue",
    }
    assert total_groups(client) == before


def test_retry_in_an_environment_that_became_unavailable(
    emulator: Emulator, client: Any, demo: Demo
) -> None:
    group_id, runs = terminated_batch(client, demo, rows=1)
    # No implemented action changes an environment, so the world is told the environment failed.
    world = omics_world(emulator)
    with world.lock:
        world.environments[demo.env_id] = {
            **world.environments[demo.env_id],
            "Status": "ERROR",
            "Available": False,
        }

    code = "InvalidParameterValue.EnvironmentNotAvailable"
    assert refusal(client, "RetryRuns", {"RunGroupId": group_id}) == code
    assert refusal(client, "RetryRuns", {"RunUuids": [runs[0]["RunUuid"]]}) == code


@pytest.mark.parametrize("action", ["RunApplication", "RunWorkflow"])
def test_submitting_to_an_unavailable_environment(client: Any, demo: Demo, action: str) -> None:
    params = (application_params if action == "RunApplication" else workflow_params)(demo)
    before = total_groups(client)
    code = refusal(client, action, {**params, "EnvironmentId": demo.broken_env_id})
    assert code == "InvalidParameterValue.EnvironmentNotAvailable"
    assert total_groups(client) == before


# --- unknown ids -----------------------------------------------------------------------------
# (action, parameters given the demo ids, documented code)
UNKNOWN: list[tuple[str, Callable[[Demo], dict[str, Any]], str]] = [
    ("GetRunStatus", lambda d: {"RunUuid": NO_RUN}, "ResourceNotFound.RunNotExist"),
    ("GetRunCalls", lambda d: {"RunUuid": NO_RUN, "Path": "/"}, "ResourceNotFound.RunNotExist"),
    (
        "GetRunMetadataFile",
        lambda d: {"RunUuid": NO_RUN, "Key": "nextflow.log"},
        "ResourceNotFound.RunNotExist",
    ),
    ("RetryRuns", lambda d: {"RunUuids": [NO_RUN]}, "ResourceNotFound.RunNotExist"),
    # TerminateRunGroup documents RunNotExist and not RunGroupNotExist
    # (https://cloud.tencent.com/document/api/1643/100856)
    ("TerminateRunGroup", lambda d: {"RunGroupId": NO_GROUP}, "ResourceNotFound.RunNotExist"),
    ("RetryRuns", lambda d: {"RunGroupId": NO_GROUP}, "ResourceNotFound.RunGroupNotExist"),
    (
        "RunApplication",
        lambda d: application_params(d, ApplicationId="app-no-such-app-000000"),
        "ResourceNotFound.ApplicationNotExist",
    ),
    (
        "RunApplication",
        lambda d: application_params(d, ApplicationVersionId="99"),
        "ResourceNotFound.ApplicationVersionNotExist",
    ),
    (
        "RunApplication",
        lambda d: application_params(d, EnvironmentId="env-nothere"),
        "ResourceNotFound.EnvironmentNotExist",
    ),
    (
        "RunWorkflow",
        lambda d: workflow_params(d, EnvironmentId="env-nothere"),
        "ResourceNotFound.EnvironmentNotExist",
    ),
    (
        "RunApplication",
        lambda d: application_params(d, TableId="tab-no-such-table-000000"),
        "ResourceNotFound.TableNotExist",
    ),
    (
        "DescribeTablesRows",
        lambda d: {"ProjectId": d.project_id, "TableId": "tab-no-such-table-000000"},
        "ResourceNotFound.TableNotExist",
    ),
    (
        "RunApplication",
        lambda d: application_params(d, TableId=d.table_id, TableRowUuids=[d.rows[0][0], NO_RUN]),
        "ResourceNotFound.TableRowNotExist",
    ),
    # DescribeVolumes lists only the generic ResourceNotFound
    # (https://cloud.tencent.com/document/api/1643/104062)
    ("DescribeVolumes", lambda d: {"EnvironmentId": "env-nothere"}, "ResourceNotFound"),
]


@pytest.mark.parametrize(
    ("action", "params", "code"), UNKNOWN, ids=[f"{a}-{c}" for a, _, c in UNKNOWN]
)
def test_unknown_ids(
    client: Any, demo: Demo, action: str, params: Callable[[Demo], dict[str, Any]], code: str
) -> None:
    before = total_groups(client)
    assert refusal(client, action, params(demo)) == code
    assert total_groups(client) == before


# Every platform action takes ProjectId; a wrong one is ProjectNotExist (each action's errors).
PROJECT_ACTIONS: dict[str, Callable[[Demo], dict[str, Any]]] = {
    "DescribeRunGroups": lambda d: {},
    "DescribeRuns": lambda d: {},
    "GetRunCalls": lambda d: {"RunUuid": NO_RUN, "Path": "/"},
    "GetRunStatus": lambda d: {"RunUuid": NO_RUN},
    "GetRunMetadataFile": lambda d: {"RunUuid": NO_RUN, "Key": "nextflow.log"},
    "TerminateRunGroup": lambda d: {"RunGroupId": NO_GROUP},
    "RetryRuns": lambda d: {"RunGroupId": NO_GROUP},
    "RunApplication": application_params,
    "RunWorkflow": workflow_params,
    "DescribeTables": lambda d: {},
    "DescribeTablesRows": lambda d: {"TableId": d.table_id},
}


@pytest.mark.parametrize("action", PROJECT_ACTIONS)
def test_unknown_project(client: Any, demo: Demo, action: str) -> None:
    params = {**PROJECT_ACTIONS[action](demo), "ProjectId": "prj-no-such-project-000000"}
    assert refusal(client, action, params) == "ResourceNotFound.ProjectNotExist"


def test_the_default_project_may_be_named_or_left_out(client: Any, demo: Demo) -> None:
    named = sdk(client, "DescribeRunGroups", {"ProjectId": demo.project_id})
    assert named["TotalCount"] == sdk(client, "DescribeRunGroups")["TotalCount"] > 0
    assert sdk(client, "DescribeRunGroups", {"ProjectId": ""})["TotalCount"] == named["TotalCount"]


# --- submission input --------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["RunApplication", "RunWorkflow"])
@pytest.mark.parametrize(
    ("encoded", "code"),
    [
        ("not base64 at all!", "InvalidParameterValue.InvalidBase64Encode"),
        ("e30", "InvalidParameterValue.InvalidBase64Encode"),  # "e30=" without its padding
        (b64json("x")[:-1] + "#", "InvalidParameterValue.InvalidBase64Encode"),
        ("aGVsbG8gd29ybGQ=", "InvalidParameterValue.InvalidInputJsonFormat"),  # "hello world"
        ("eyJhIjog", "InvalidParameterValue.InvalidInputJsonFormat"),  # '{"a": ' (cut short)
    ],
)
def test_bad_input_base64(client: Any, demo: Demo, action: str, encoded: str, code: str) -> None:
    params = (application_params if action == "RunApplication" else workflow_params)(demo)
    before = total_groups(client)
    assert refusal(client, action, {**params, "InputBase64": encoded}) == code
    assert total_groups(client) == before


@pytest.mark.parametrize("action", ["RunApplication", "RunWorkflow"])
def test_duplicate_run_group_name(client: Any, demo: Demo, action: str) -> None:
    make = application_params if action == "RunApplication" else workflow_params
    taken = sdk(client, "DescribeRunGroups", {"Limit": 1})["RunGroups"][0]["Name"]
    assert refusal(client, action, make(demo, Name=taken)) == "InvalidParameterValue.DuplicateName"

    fresh = unique_name("dup")
    sdk(client, action, make(demo, Name=fresh))
    assert refusal(client, action, make(demo, Name=fresh)) == "InvalidParameterValue.DuplicateName"


def test_input_is_required(client: Any, demo: Demo) -> None:
    params = application_params(demo)
    del params["InputBase64"]
    # "one of InputBase64 / InputCosUri must be given"; the doc names no code for it
    assert refusal(client, "RunApplication", params) in {
        "MissingParameter",
        "InvalidParameter",
        "InvalidParameterValue",
    }


def test_run_workflow_only_runs_nextflow(client: Any, demo: Demo) -> None:
    assert (
        refusal(client, "RunWorkflow", workflow_params(demo, Type="WDL")) == "InvalidParameterValue"
    )


# --- TerminateRunGroup, GetRunMetadataFile, GetRunCalls ------------------------------------------
def test_terminating_a_finished_group_is_denied(
    clock: ManualClock, client: Any, demo: Demo
) -> None:
    group_id = run_application(client, demo)
    finished = finished_group(clock, client, group_id)
    assert refusal(client, "TerminateRunGroup", {"RunGroupId": group_id}) == "OperationDenied"
    assert group(client, group_id) == finished  # the group is left exactly as it was


def test_terminating_twice_is_denied(client: Any, demo: Demo) -> None:
    group_id, _ = terminated_batch(client, demo, rows=2)
    assert refusal(client, "TerminateRunGroup", {"RunGroupId": group_id}) == "OperationDenied"


@pytest.mark.parametrize("key", ["nextflow.txt", "../nextflow.log", "stdout", ""])
def test_unknown_metadata_file_key(client: Any, key: str) -> None:
    nextflow = sdk(
        client,
        "DescribeRunGroups",
        {"Limit": 1, "Filters": [{"Name": "Type", "Values": ["NEXTFLOW"]}]},
    )
    [some_run, *_] = runs_of(client, nextflow["RunGroups"][0]["RunGroupId"])
    code = refusal(client, "GetRunMetadataFile", {"RunUuid": some_run["RunUuid"], "Key": key})
    assert code == "InvalidParameterValue.InvalidCosKey"
    code = refusal(
        client,
        "GetRunMetadataFile",
        {"RunUuid": some_run["RunUuid"], "Keys": ["nextflow.log", key]},
    )
    assert code == "InvalidParameterValue.InvalidCosKey"


def test_get_run_calls_path_must_name_a_workflow_call(client: Any) -> None:
    done = a_run_with_status(client, "SUCCESS")
    calls = sdk(client, "GetRunCalls", {"RunUuid": done["RunUuid"], "Path": "/"})["Calls"]
    task = next(c for c in calls if c["RunType"] == "Task")
    for path in ("/" + task["RunId"], "/no-such-call"):
        assert (
            refusal(client, "GetRunCalls", {"RunUuid": done["RunUuid"], "Path": path})
            == "InvalidParameterValue"
        )


# --- paging and filters ------------------------------------------------------------------------
LISTS: dict[str, Callable[[Demo], dict[str, Any]]] = {
    "DescribeEnvironments": lambda d: {},
    "DescribeVolumes": lambda d: {"EnvironmentId": d.env_id},
    "DescribeRunGroups": lambda d: {},
    "DescribeRuns": lambda d: {},
    "DescribeTables": lambda d: {"ProjectId": d.project_id},
    "DescribeTablesRows": lambda d: {"ProjectId": d.project_id, "TableId": d.table_id},
}


@pytest.mark.parametrize("action", LISTS)
@pytest.mark.parametrize("paging", [{"Limit": 101}, {"Limit": -1}, {"Offset": -1}])
def test_paging_out_of_range(client: Any, demo: Demo, action: str, paging: dict[str, int]) -> None:
    # Omics documents no sub-code here (Batch's InvalidParameterValue.Negative is not an Omics code)
    assert refusal(client, action, {**LISTS[action](demo), **paging}) == "InvalidParameterValue"


@pytest.mark.parametrize("action", LISTS)
def test_unsupported_filter_name(client: Any, demo: Demo, action: str) -> None:
    params = {**LISTS[action](demo), "Filters": [{"Name": "Colour", "Values": ["blue"]}]}
    # Omics lists no InvalidFilter code (that is Batch's): only InvalidParameter(Value)
    assert refusal(client, action, params) in {"InvalidParameter", "InvalidParameterValue"}
