"""The emulated Batch compute environments, task templates and configuration catalog through
the official SDK (batch-api.md §3.1-§3.3, §5.4-§5.6). Jobs are in test_batch_sdk.py.

Node lifecycle the tests rely on (§5.4): SUBMITTED -> CREATING -> CREATED -> RUNNING;
terminable nodes -> DELETING -> gone, each step recorded as an activity (§5.6).
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import (
    ENV_ID,
    NODE_ID,
    TIME,
    ZONE,
    activities,
    create_env,
    describe_env,
    error_code,
    ready_env,
    task,
    wait_for_running_nodes,
)
from tests.emulator.sdk import call

# A request field the SDK model does not know is dropped with only a warning: make it fail.
pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


def node_states(client: Any, env_id: str) -> dict[str, str]:
    return {
        n.ComputeNodeId: n.ComputeNodeState for n in describe_env(client, env_id).ComputeNodeSet
    }


def metrics_total(metrics: Any) -> int:
    return sum(
        getattr(metrics, name)
        for name in (
            "SubmittedCount",
            "CreatingCount",
            "CreationFailedCount",
            "CreatedCount",
            "RunningCount",
            "DeletingCount",
            "AbnormalCount",
        )
    )


def env_ids(client: Any, **params: Any) -> list[str]:
    return [
        e.EnvId for e in call(client, "DescribeComputeEnvs", {"Limit": 100, **params}).ComputeEnvSet
    ]


# --- CreateComputeEnv, DescribeComputeEnv(s), DescribeComputeEnvActivities ---------------------
def test_a_new_compute_env_brings_up_its_desired_nodes(client: Any, clock: ManualClock) -> None:
    env_id = create_env(client, desired=2, name="fresh-env", Tags=[{"Key": "team", "Value": "qa"}])

    assert ENV_ID.match(env_id)
    env = describe_env(client, env_id)
    assert (env.EnvName, env.Placement.Zone, env.EnvType, env.ResourceType) == (
        "fresh-env",
        ZONE,
        "MANAGED",
        "CVM",
    )
    assert (env.DesiredComputeNodeCount, env.AttachedComputeNodeCount, env.NextAction) == (2, 0, "")
    assert TIME.match(env.CreateTime) and [(t.Key, t.Value) for t in env.Tags] == [("team", "qa")]
    assert len(env.ComputeNodeSet) == 2 and all(
        NODE_ID.match(n.ComputeNodeId) for n in env.ComputeNodeSet
    )
    created = activities(client, env_id)
    assert [(a.ComputeNodeActivityType, a.Cause) for a in created] == [
        ("CREATE_COMPUTE_NODE", "CreateComputeEnv: the capacity is 2")
    ] * 2
    assert {a.ComputeNodeId for a in created} == {n.ComputeNodeId for n in env.ComputeNodeSet}

    env = wait_for_running_nodes(client, clock, env_id, 2)
    assert env.ComputeNodeMetrics.RunningCount == 2 == metrics_total(env.ComputeNodeMetrics)
    for node in env.ComputeNodeSet:
        assert (
            node.ComputeNodeInstanceId.startswith("ins-") and node.ResourceOrigin == "BATCH_CREATED"
        )
        assert (
            node.TaskInstanceNumAvailable == 1 and node.PrivateIpAddresses and node.Cpu and node.Mem
        )
    for act in activities(client, env_id):  # the activities of the nodes that came up ended
        if act.ComputeNodeId in {n.ComputeNodeId for n in env.ComputeNodeSet}:
            assert act.ActivityState == "SUCCEED" and act.EndTime and act.StartTime <= act.EndTime
    # ... and DescribeComputeEnvs lists it first (newest first), with the same counts
    (view,) = call(client, "DescribeComputeEnvs", {"EnvIds": [env_id]}).ComputeEnvSet
    assert view.ComputeNodeMetrics.RunningCount == 2 and view.DesiredComputeNodeCount == 2
    assert env_ids(client)[0] == env_id


def test_create_compute_env_with_the_same_client_token_creates_one_env(client: Any) -> None:
    before = env_ids(client)
    params = {
        "ComputeEnv": {"EnvName": "once", "DesiredComputeNodeCount": 0},
        "Placement": {"Zone": ZONE},
        "ClientToken": "env-token",
    }
    first = call(client, "CreateComputeEnv", params).EnvId
    assert call(client, "CreateComputeEnv", params).EnvId == first
    assert env_ids(client) == [first, *before]


def test_describe_compute_envs_filters_and_pages(client: Any) -> None:
    mine = create_env(
        client,
        desired=0,
        name="filter-me",
        zone="ap-guangzhou-6",
        Tags=[{"Key": "team", "Value": "qa"}],
    )
    everything = env_ids(client)
    assert len(everything) == 4  # the demo's three and this one

    assert env_ids(client, Filters=[{"Name": "zone", "Values": ["ap-guangzhou-6"]}]) == [mine]
    assert env_ids(client, Filters=[{"Name": "env-name", "Values": ["filter-me", "nothing"]}]) == [
        mine
    ]
    assert env_ids(client, Filters=[{"Name": "env-id", "Values": [mine]}]) == [mine]
    assert env_ids(client, Filters=[{"Name": "tag:team", "Values": ["qa"]}]) == [mine]
    assert len(env_ids(client, Filters=[{"Name": "tag-key", "Values": ["team"]}])) == 4
    assert env_ids(client, Filters=[{"Name": "resource-type", "Values": ["CVM"]}]) == everything
    assert (
        env_ids(
            client,
            Filters=[{"Name": "tag-value", "Values": ["qa"]}, {"Name": "zone", "Values": [ZONE]}],
        )
        == []
    )
    page = call(client, "DescribeComputeEnvs", {"Offset": 1, "Limit": 2})
    assert [e.EnvId for e in page.ComputeEnvSet] == everything[1:3] and page.TotalCount == 4


def test_describe_compute_env_activities_pages_and_filters_by_node(
    client: Any, clock: ManualClock
) -> None:
    env_id, nodes = ready_env(client, clock, desired=3)
    every = activities(client, env_id)

    page = call(client, "DescribeComputeEnvActivities", {"EnvId": env_id, "Offset": 1, "Limit": 1})
    assert [a.ActivityId for a in page.ActivitySet] == [every[1].ActivityId]
    assert page.TotalCount == len(every)
    one = activities(client, env_id, Filters={"Name": "compute-node-id", "Values": [nodes[0]]})
    assert one and {a.ComputeNodeId for a in one} == {nodes[0]}
    starts = [a.StartTime for a in every]
    assert starts == sorted(starts, reverse=True)  # newest first, as the doc's example


# --- ModifyComputeEnv, TerminateComputeNode(s), Attach/DetachInstances, DeleteComputeEnv ------
def test_modify_compute_env_scales_out_then_in(client: Any, clock: ManualClock) -> None:
    env_id, _ = ready_env(client, clock, desired=1)

    call(client, "ModifyComputeEnv", {"EnvId": env_id, "DesiredComputeNodeCount": 3})
    env = describe_env(client, env_id)
    assert env.DesiredComputeNodeCount == 3 and len(env.ComputeNodeSet) == 3
    causes = [
        a.Cause
        for a in activities(client, env_id)
        if a.ComputeNodeActivityType == "CREATE_COMPUTE_NODE"
    ]
    assert causes[:2] == ["ModifyComputeEnv: increase the capacity from 1 to 3"] * 2
    wait_for_running_nodes(client, clock, env_id, 3)

    call(client, "ModifyComputeEnv", {"EnvId": env_id, "DesiredComputeNodeCount": 1})
    env = describe_env(client, env_id)
    assert env.DesiredComputeNodeCount == 1 and env.ComputeNodeMetrics.DeletingCount == 2
    latest = activities(client, env_id)[:2]
    assert {(a.ComputeNodeActivityType, a.Cause) for a in latest} == {
        ("TERMINATE_COMPUTE_NODE", "ModifyComputeEnv: decrease the capacity from 3 to 1")
    }
    wait_for_running_nodes(client, clock, env_id, 1)  # the two are gone, none re-created


def test_modify_compute_env_renames_and_sets_instance_types(client: Any) -> None:
    env_id = create_env(client, desired=0)

    call(
        client,
        "ModifyComputeEnv",
        {
            "EnvId": env_id,
            "EnvName": "renamed",
            "EnvDescription": "new words",
            "EnvData": {"InstanceTypes": ["S5.MEDIUM4", "S5.LARGE8"]},
        },
    )
    assert describe_env(client, env_id).EnvName == "renamed"
    info = call(client, "DescribeComputeEnvCreateInfo", {"EnvId": env_id})
    assert (info.EnvName, info.EnvDescription) == ("renamed", "new words")
    assert info.EnvData.InstanceTypes == ["S5.MEDIUM4", "S5.LARGE8"]
    assert env_ids(client, Filters=[{"Name": "env-name", "Values": ["renamed"]}]) == [env_id]


def test_terminate_compute_node_removes_it_for_good(client: Any, clock: ManualClock) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)

    call(client, "TerminateComputeNode", {"EnvId": env_id, "ComputeNodeId": nodes[0]})
    assert node_states(client, env_id)[nodes[0]] == "DELETING"
    # the desired count drops, so the environment does not bring the node back (§5.4)
    assert describe_env(client, env_id).DesiredComputeNodeCount == 1
    (latest,) = activities(
        client, env_id, Filters={"Name": "compute-node-id", "Values": [nodes[0]]}
    )[:1]
    assert latest.ComputeNodeActivityType == "TERMINATE_COMPUTE_NODE"
    wait_for_running_nodes(client, clock, env_id, 1)
    assert set(node_states(client, env_id)) == {nodes[1]}


def test_terminate_compute_nodes_removes_several(client: Any, clock: ManualClock) -> None:
    env_id, nodes = ready_env(client, clock, desired=3)

    call(client, "TerminateComputeNodes", {"EnvId": env_id, "ComputeNodeIds": nodes[:2]})
    states = node_states(client, env_id)
    assert [states[n] for n in nodes] == ["DELETING", "DELETING", "RUNNING"]
    assert describe_env(client, env_id).DesiredComputeNodeCount == 1
    wait_for_running_nodes(client, clock, env_id, 1)


def test_attach_then_detach_an_instance(client: Any, clock: ManualClock) -> None:
    env_id, _ = ready_env(client, clock, desired=1)

    call(
        client,
        "AttachInstances",
        {
            "EnvId": env_id,
            "Instances": [
                {
                    "InstanceId": "ins-attached",
                    "ImageId": "img-8toqc6s3",
                    "LoginSettings": {"Password": "Pa55word!"},
                }
            ],
        },
    )
    env = describe_env(client, env_id)
    (node,) = [n for n in env.ComputeNodeSet if n.ComputeNodeInstanceId == "ins-attached"]
    assert node.ResourceOrigin == "USER_ATTACHED"
    # attached CVMs come on top of the desired count
    assert (env.AttachedComputeNodeCount, env.DesiredComputeNodeCount) == (1, 1)
    wait_for_running_nodes(client, clock, env_id, 2)

    (view,) = call(client, "DescribeComputeEnvs", {"EnvIds": [env_id]}).ComputeEnvSet
    assert view.AttachedComputeNodeCount == 1

    call(client, "DetachInstances", {"EnvId": env_id, "InstanceIds": ["ins-attached"]})
    assert node_states(client, env_id)[node.ComputeNodeId] == "DELETING"
    latest = activities(client, env_id)[0]  # termination produces an activity (§5.4)
    assert (latest.ComputeNodeId, latest.InstanceId) == (node.ComputeNodeId, "ins-attached")
    assert latest.ComputeNodeActivityType == "TERMINATE_COMPUTE_NODE"
    env = wait_for_running_nodes(client, clock, env_id, 1)
    assert env.AttachedComputeNodeCount == 0
    assert all(n.ComputeNodeInstanceId != "ins-attached" for n in env.ComputeNodeSet)


def test_delete_compute_env_tears_it_down(client: Any, clock: ManualClock) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)

    call(client, "DeleteComputeEnv", {"EnvId": env_id})
    env = describe_env(client, env_id)
    assert env.NextAction == "DELETING"  # [SDK] "NextAction: DELETING" (§5.5)
    assert {n.ComputeNodeState for n in env.ComputeNodeSet} == {"DELETING"}
    terminations = activities(client, env_id)[:2]
    assert {(a.ComputeNodeActivityType, a.ComputeNodeId) for a in terminations} == {
        ("TERMINATE_COMPUTE_NODE", node) for node in nodes
    }
    clock.advance(60)
    assert (
        error_code(client, "DescribeComputeEnv", {"EnvId": env_id}) == "ResourceNotFound.ComputeEnv"
    )
    assert env_id not in env_ids(client)


# --- DescribeComputeEnvCreateInfo(s) ---------------------------------------------------------
def test_describe_compute_env_create_infos_return_the_creation_spec(client: Any) -> None:
    env_id = create_env(
        client,
        desired=0,
        name="spec-env",
        zone="ap-guangzhou-6",
        EnvDescription="as made",
        MountDataDisks=[{"LocalPath": "/mnt", "FileSystemType": "EXT4"}],
    )

    info = call(client, "DescribeComputeEnvCreateInfo", {"EnvId": env_id})
    assert (info.EnvId, info.EnvName, info.EnvDescription, info.EnvType) == (
        env_id,
        "spec-env",
        "as made",
        "MANAGED",
    )
    assert (info.EnvData.InstanceType, info.DesiredComputeNodeCount) == ("S1.SMALL2", 0)
    assert [(d.LocalPath, d.FileSystemType) for d in info.MountDataDisks] == [("/mnt", "EXT4")]
    listed = call(
        client,
        "DescribeComputeEnvCreateInfos",
        {"Filters": [{"Name": "zone", "Values": ["ap-guangzhou-6"]}]},
    )
    assert [i.EnvId for i in listed.ComputeEnvCreateInfoSet] == [env_id] and listed.TotalCount == 1
    by_id = call(
        client, "DescribeComputeEnvCreateInfos", {"EnvIds": [env_id]}
    ).ComputeEnvCreateInfoSet
    assert [i.EnvName for i in by_id] == ["spec-env"]
    assert call(client, "DescribeComputeEnvCreateInfos", {}).TotalCount == 4


# --- task templates (§3.3) -------------------------------------------------------------------
def test_task_templates_are_created_described_modified_and_deleted(client: Any) -> None:
    info = task("render", instances=2)
    template_id = call(
        client,
        "CreateTaskTemplate",
        {
            "TaskTemplateName": "render",
            "TaskTemplateDescription": "frames",
            "TaskTemplateInfo": info,
            "Tags": [{"Key": "team", "Value": "qa"}],
        },
    ).TaskTemplateId
    assert template_id.startswith("task-tmpl-")

    (view,) = call(
        client, "DescribeTaskTemplates", {"TaskTemplateIds": [template_id]}
    ).TaskTemplateSet
    assert (view.TaskTemplateName, view.TaskTemplateDescription) == ("render", "frames")
    assert (view.TaskTemplateInfo.TaskName, view.TaskTemplateInfo.TaskInstanceNum) == ("render", 2)
    assert TIME.match(view.CreateTime) and [(t.Key, t.Value) for t in view.Tags] == [("team", "qa")]

    call(
        client,
        "ModifyTaskTemplate",
        {
            "TaskTemplateId": template_id,
            "TaskTemplateName": "render-v2",
            "TaskTemplateInfo": task("render", instances=5),
        },
    )
    (view,) = call(
        client, "DescribeTaskTemplates", {"TaskTemplateIds": [template_id]}
    ).TaskTemplateSet
    assert (view.TaskTemplateName, view.TaskTemplateDescription) == ("render-v2", "frames")
    assert view.TaskTemplateInfo.TaskInstanceNum == 5

    call(client, "DeleteTaskTemplates", {"TaskTemplateIds": [template_id]})
    assert (
        call(client, "DescribeTaskTemplates", {"TaskTemplateIds": [template_id]}).TaskTemplateSet
        == []
    )


def test_describe_task_templates_filters_and_pages(client: Any) -> None:
    made = [
        call(
            client,
            "CreateTaskTemplate",
            {
                "TaskTemplateName": name,
                "TaskTemplateInfo": task(name),
                "Tags": [{"Key": "team", "Value": team}],
            },
        ).TaskTemplateId
        for name, team in (("alpha", "qa"), ("beta", "ops"), ("gamma", "qa"))
    ]

    def ids(**params: Any) -> list[str]:
        return [
            t.TaskTemplateId for t in call(client, "DescribeTaskTemplates", params).TaskTemplateSet
        ]

    assert ids() == made[::-1]  # newest first
    assert ids(Filters=[{"Name": "task-template-name", "Values": ["beta"]}]) == [made[1]]
    assert ids(Filters=[{"Name": "tag:team", "Values": ["qa"]}]) == [made[2], made[0]]
    assert ids(Filters=[{"Name": "tag-value", "Values": ["ops"]}]) == [made[1]]
    assert ids(Offset=1, Limit=1) == [made[1]]
    assert call(client, "DescribeTaskTemplates", {"Limit": 1}).TotalCount == 3


# --- configuration catalog (§3.1) -------------------------------------------------------------
def test_describe_available_cvm_instance_types_applies_its_filters(client: Any) -> None:
    def rows(*filters: dict[str, Any]) -> list[Any]:
        found = call(client, "DescribeAvailableCvmInstanceTypes", {"Filters": list(filters)})
        return list(found.InstanceTypeConfigSet)

    everything = rows()
    assert everything and {r.Zone for r in everything} >= {"ap-guangzhou-3", "ap-guangzhou-4"}
    zone3 = rows({"Name": "zone", "Values": ["ap-guangzhou-3"]})
    assert zone3 and len(zone3) < len(everything) and {r.Zone for r in zone3} == {"ap-guangzhou-3"}
    gn2 = rows(
        {"Name": "zone", "Values": ["ap-guangzhou-3"]},
        {"Name": "instance-family", "Values": ["GN2"]},
    )
    assert gn2 and all(r.InstanceFamily == "GN2" and r.InstanceType.startswith("GN2.") for r in gn2)
    assert all(r.Cpu > 0 and r.Mem > 0 for r in everything)


def test_describe_cvm_zone_instance_config_infos_applies_its_filters(client: Any) -> None:
    def rows(*filters: dict[str, Any]) -> list[Any]:
        found = call(client, "DescribeCvmZoneInstanceConfigInfos", {"Filters": list(filters)})
        return list(found.InstanceTypeQuotaSet)

    everything = rows()
    chosen = rows(
        {"Name": "instance-type", "Values": ["S5.MEDIUM4"]},
        {"Name": "instance-charge-type", "Values": ["POSTPAID_BY_HOUR"]},
    )
    assert chosen and len(chosen) < len(everything)
    assert {(r.InstanceType, r.InstanceChargeType) for r in chosen} == {
        ("S5.MEDIUM4", "POSTPAID_BY_HOUR")
    }
    s5 = rows(
        {"Name": "instance-family", "Values": ["S5"]},
        {"Name": "zone", "Values": ["ap-guangzhou-4"]},
    )
    assert s5 and {(r.InstanceFamily, r.Zone) for r in s5} == {("S5", "ap-guangzhou-4")}
    for row in everything:
        assert row.Status in {"SELL", "SOLD_OUT"} and row.Price.ChargeUnit in {"HOUR", "GB"}
        assert row.Price.UnitPrice > 0 and row.Cpu > 0 and row.Memory > 0


def test_describe_instance_categories_lists_families_by_category(client: Any) -> None:
    categories = call(client, "DescribeInstanceCategories", {}).InstanceCategorySet
    by_name = {c.InstanceCategory: c.InstanceFamilySet for c in categories}
    assert {"COMPUTE_3", "GENERAL_3"} <= set(by_name)  # the doc example's categories
    assert all(families for families in by_name.values())
    assert "S5" in by_name["GENERAL_3"]  # the families DescribeAvailableCvmInstanceTypes offers
