"""The emulated Batch compute environments through the official SDK. Jobs are in
test_batch_sdk.py, task templates and the configuration catalog in test_batch_sdk_config.py.

Node lifecycle the tests rely on: SUBMITTED -> CREATING -> CREATED -> RUNNING;
terminable nodes -> DELETING -> gone, each step recorded as an activity.
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
    # the desired count drops, so the environment does not bring the node back
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
    latest = activities(client, env_id)[0]  # termination produces an activity
    assert (latest.ComputeNodeId, latest.InstanceId) == (node.ComputeNodeId, "ins-attached")
    assert latest.ComputeNodeActivityType == "TERMINATE_COMPUTE_NODE"
    env = wait_for_running_nodes(client, clock, env_id, 1)
    assert env.AttachedComputeNodeCount == 0
    assert all(n.ComputeNodeInstanceId != "ins-attached" for n in env.ComputeNodeSet)


def test_delete_compute_env_tears_it_down(client: Any, clock: ManualClock) -> None:
    env_id, nodes = ready_env(client, clock, desired=2)

    call(client, "DeleteComputeEnv", {"EnvId": env_id})
    env = describe_env(client, env_id)
    assert env.NextAction == "DELETING"  # the SDK's docstring: "NextAction: DELETING"
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
