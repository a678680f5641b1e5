"""The emulator's Omics tables, environments and volumes as the official Python SDK sees them,
with pagination, regions, and the SDK model's type for every member of every answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    ENVIRONMENT_ACTIONS,
    PLATFORM_ACTIONS,
    Demo,
    advance_until,
    counts,
    demo_ids,
    group,
    omics_world,
    refusal,
    run_application,
    sdk,
    send_raw,
    terminated_batch,
    type_errors,
    unique_name,
)


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return omics_sdk(emulator)


@pytest.fixture
def demo(emulator: Emulator) -> Demo:
    return demo_ids(emulator)


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

    lists: list[tuple[str, dict[str, Any]]] = [
        ("DescribeEnvironments", {"Limit": 100}),
        ("DescribeVolumes", {"EnvironmentId": demo.env_id}),
        ("DescribeRunGroups", {"Limit": 100}),
        ("DescribeRuns", {"Limit": 100}),
        ("DescribeTables", {"ProjectId": demo.project_id}),
        ("DescribeTablesRows", {"ProjectId": demo.project_id, "TableId": demo.table_id}),
    ]
    answers = {action: send_raw(client, action, params) for action, params in lists}
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
