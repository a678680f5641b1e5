"""Batch compute environment actions; their pages are
https://www.tencentcloud.com/document/api/599/<id>:
CreateComputeEnv 30521, DeleteComputeEnv 30519, DescribeComputeEnv 30517, DescribeComputeEnvs
30509, DescribeComputeEnvActivities 30515, DescribeComputeEnvCreateInfo 30513,
DescribeComputeEnvCreateInfos 30511, ModifyComputeEnv 30507, TerminateComputeNode 30505,
TerminateComputeNodes 30485, AttachInstances 34863, DetachInstances 34862."""

from __future__ import annotations

import re
from typing import Any

from apps.emulator.batch import states as st
from apps.emulator.batch import wire
from apps.emulator.batch.fleet import Env, Node
from apps.emulator.batch.product import PRODUCT
from apps.emulator.batch.world import BatchWorld
from apps.emulator.errors import ApiError, not_found
from apps.emulator.filters import compile_filters, tag_getters
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER, TAG, page

ENV_ID = re.compile(r"^env-[a-z0-9]{8}$")
NODE_ID = re.compile(r"^node-[a-z0-9]{8}$")
INSTANCE_ID = re.compile(r"^ins-[a-z0-9]{8}$")
NAMED_COMPUTE_ENV = {
    "EnvName": "str",
    "DesiredComputeNodeCount": "int",
    "EnvDescription": "str",
    "EnvType": "str",
    "EnvData": "obj",
    "MountDataDisks": ["obj"],
    "Authentications": ["obj"],
    "InputMappings": ["obj"],
    "AgentRunningMode": "obj",
    "Notifications": ["obj"],
    "ActionIfComputeNodeInactive": "str",
    "ResourceMaxRetryCount": "int",
    "Tags": [TAG],
    "NotificationTarget": "str",
}
ENV_FILTERS = {
    "zone": lambda env: [env.zone],
    "env-id": lambda env: [env.id],
    "env-name": lambda env: [env.name],
    "resource-type": lambda env: ["CVM"],
    **tag_getters(lambda env: env.tags),
}
CREATE_INFO_FILTERS = {name: ENV_FILTERS[name] for name in ("zone", "env-id", "env-name")}
MAX_DESIRED = 2000
MAX_IDS = 100  # ids a list may name (EnvIds, TaskTemplateIds)


def env_or_404(world: BatchWorld, env_id: str) -> Env:
    if not ENV_ID.match(env_id):
        raise ApiError(
            "InvalidParameter.EnvIdMalformed", f"Invalid compute environment ID `{env_id}`."
        )
    env = world.fleet.envs.get(env_id)
    if env is None:
        raise not_found("ComputeEnv", env_id)
    return env


def _not_deleting(env: Env) -> None:
    if env.next_action == "DELETING":
        raise ApiError(
            "UnsupportedOperation.ComputeEnvAcceptOtherRequest",
            "The compute environment is being deleted.",
        )


def _envs(world: BatchWorld, p: dict[str, Any], getters: dict[str, Any]) -> list[Env]:
    if "EnvIds" in p and "Filters" in p:
        raise ApiError(
            "InvalidParameter.InvalidParameterCombination",
            "EnvIds and Filters cannot both be given.",
        )
    if len(p.get("EnvIds", [])) > MAX_IDS:  # "最大限制100" (the official SDK's models.py)
        raise ApiError("InvalidParameterValue", f"At most {MAX_IDS} EnvIds can be given.")
    for env_id in p.get("EnvIds", []):
        if not ENV_ID.match(env_id):
            raise ApiError(
                "InvalidParameter.EnvIdMalformed", f"Invalid compute environment ID `{env_id}`."
            )
    matches = compile_filters(p.get("Filters"), getters)
    envs = [
        env
        for env in world.fleet.envs.values()
        if matches(env) and ("EnvIds" not in p or env.id in p["EnvIds"])
    ]
    return sorted(envs, key=lambda env: env.created, reverse=True)


@PRODUCT.action(
    "CreateComputeEnv",
    params={"ComputeEnv": NAMED_COMPUTE_ENV, "Placement": "obj", "ClientToken": "str"},
    required=("ComputeEnv", "Placement"),
    limit=2,
)
def create_compute_env(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    spec, placement = p["ComputeEnv"], p["Placement"]
    token = p.get("ClientToken")
    if token and token in world.client_tokens:
        return {"EnvId": world.client_tokens[token]}
    for name in ("EnvName", "DesiredComputeNodeCount"):
        if name not in spec:
            raise ApiError("MissingParameter", f"The parameter `ComputeEnv.{name}` is missing.")
    if not placement.get("Zone"):
        raise ApiError("MissingParameter", "The parameter `Placement.Zone` is missing.")
    if not placement["Zone"].startswith(ctx.region + "-"):
        raise ApiError(
            "InvalidZone.MismatchRegion", f"The zone `{placement['Zone']}` is not in {ctx.region}."
        )
    if len(spec["EnvName"]) > 60:
        raise ApiError(
            "InvalidParameter.EnvNameTooLong", "The compute environment name is too long."
        )
    if not 0 <= spec["DesiredComputeNodeCount"] <= MAX_DESIRED:
        raise ApiError(
            "InvalidParameterValue.Negative", "DesiredComputeNodeCount must be 0 to 2000."
        )
    env = world.fleet.create_env(spec, placement["Zone"])
    if token:
        world.client_tokens[token] = env.id
    return {"EnvId": env.id}


@PRODUCT.action("DeleteComputeEnv", params={"EnvId": "str"}, required=("EnvId",), limit=2)
def delete_compute_env(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    if env.next_action == "DELETING":
        raise ApiError(
            "UnsupportedOperation.AcceptOtherRequest", "The environment is already being deleted."
        )
    world.fleet.delete_env(env)
    return {}


@PRODUCT.action("DescribeComputeEnv", params={"EnvId": "str"}, required=("EnvId",), limit=2)
def describe_compute_env(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    view = wire.env_view(env)
    view["ComputeNodeSet"] = [wire.node_view(n) for n in env.nodes.values()]
    return view


@PRODUCT.action(
    "DescribeComputeEnvs",
    params={"EnvIds": ["str"], "Filters": [FILTER], "Offset": "int", "Limit": "int"},
    limit=2,
)
def describe_compute_envs(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    offset, limit = page(p, default=20, maximum=100)
    envs = _envs(world, p, ENV_FILTERS)
    return {
        "ComputeEnvSet": [wire.env_view(e) for e in envs[offset : offset + limit]],
        "TotalCount": len(envs),
    }


@PRODUCT.action(
    "DescribeComputeEnvActivities",
    params={"EnvId": "str", "Offset": "int", "Limit": "int", "Filters": FILTER},
    required=("EnvId",),
    limit=2,
)
def describe_compute_env_activities(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    offset, limit = page(p, default=20, maximum=100)
    flt = p.get("Filters")
    if flt is not None and flt.get("Name") != "compute-node-id":
        raise ApiError("InvalidFilter", f"The filter `{flt.get('Name')}` is not supported.")
    wanted = set(flt["Values"]) if flt else None
    for node_id in wanted or ():
        if not NODE_ID.match(node_id):
            raise ApiError(
                "InvalidParameter.ComputeNodeIdMalformed", f"Invalid compute node ID `{node_id}`."
            )
    acts = [a for a in env.activities if wanted is None or a.node_id in wanted]
    return {
        "ActivitySet": [wire.activity_view(a) for a in acts[offset : offset + limit]],
        "TotalCount": len(acts),
    }


@PRODUCT.action(
    "DescribeComputeEnvCreateInfo", params={"EnvId": "str"}, required=("EnvId",), limit=2
)
def describe_compute_env_create_info(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    return wire.env_create_info(env_or_404(world, p["EnvId"]))


@PRODUCT.action(
    "DescribeComputeEnvCreateInfos",
    params={"EnvIds": ["str"], "Filters": [FILTER], "Offset": "int", "Limit": "int"},
    limit=20,
)
def describe_compute_env_create_infos(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    offset, limit = page(p, default=20, maximum=100)
    envs = _envs(world, p, CREATE_INFO_FILTERS)
    return {
        "ComputeEnvCreateInfoSet": [wire.env_create_info(e) for e in envs[offset : offset + limit]],
        "TotalCount": len(envs),
    }


@PRODUCT.action(
    "ModifyComputeEnv",
    params={
        "EnvId": "str",
        "DesiredComputeNodeCount": "int",
        "EnvName": "str",
        "EnvDescription": "str",
        "EnvData": {"InstanceTypes": ["str"]},
    },
    required=("EnvId",),
    limit=2,
)
def modify_compute_env(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    _not_deleting(env)
    if "EnvName" in p:
        if len(p["EnvName"]) > 60:
            raise ApiError(
                "InvalidParameter.EnvNameTooLong", "The compute environment name is too long."
            )
        env.name = env.spec["EnvName"] = p["EnvName"]
    if "EnvDescription" in p:
        env.spec["EnvDescription"] = p["EnvDescription"]
    if "EnvData" in p:
        types = p["EnvData"].get("InstanceTypes") or []
        if not types:
            raise ApiError(
                "InvalidParameterValue.InstanceTypesEmpty",
                "The list of instance types cannot be empty.",
            )
        if len(set(types)) != len(types):
            raise ApiError(
                "InvalidParameterValue.InstanceTypeDuplicate",
                "The instance type value must be unique.",
            )
        env.spec.setdefault("EnvData", {})["InstanceTypes"] = types
    if "DesiredComputeNodeCount" in p:
        desired = p["DesiredComputeNodeCount"]
        if desired < 0:
            raise ApiError(
                "InvalidParameterValue.Negative", "DesiredComputeNodeCount must not be negative."
            )
        if desired > MAX_DESIRED:
            raise ApiError("InvalidParameterValue", "DesiredComputeNodeCount must not exceed 2000.")
        # Only nodes that exist can be removed: those TerminateComputeNode accepts
        # (https://www.tencentcloud.com/document/api/599/30505);
        # nodes still SUBMITTED/CREATING are requests, not nodes yet. Attached CVMs are not
        # part of the desired count.
        removable = [
            n
            for n in world.fleet.live_nodes(env)
            if n.origin == "BATCH_CREATED" and n.state in st.NODE_TERMINABLE
        ]
        if env.desired - desired > len(removable):
            raise ApiError(
                "UnsupportedOperation.NotEnoughComputeNodesToTerminate",
                "The number of compute nodes to remove is greater than the number of existing nodes.",
            )
        world.fleet.set_desired(env, desired)
    return {}


def _nodes_to_terminate(env: Env, node_ids: list[str], *, plural: bool) -> list[Node]:
    nodes = []
    for node_id in node_ids:
        if not NODE_ID.match(node_id):
            raise ApiError(
                "InvalidParameter.ComputeNodeIdMalformed", f"Invalid compute node ID `{node_id}`."
            )
        node = env.nodes.get(node_id)
        if node is None:
            raise not_found("ComputeNode", node_id)
        if node.state == "DELETING":
            code = (
                "UnsupportedOperation"
                if plural
                else "UnsupportedOperation.ComputeNodeIsTerminating"
            )
            raise ApiError(code, f"The compute node `{node_id}` is terminating.")
        if node.state not in st.NODE_TERMINABLE:
            raise ApiError(
                "UnsupportedOperation.ComputeNodeForbidTerminate",
                f"The compute node `{node_id}` is {node.state}; termination is allowed in "
                "CREATED, CREATION_FAILED, RUNNING or ABNORMAL.",
            )
        nodes.append(node)
    if len({n.id for n in nodes}) != len(nodes):
        raise ApiError("UnsupportedOperation", "The same compute node cannot be terminated twice.")
    return nodes


@PRODUCT.action(
    "TerminateComputeNode",
    params={"EnvId": "str", "ComputeNodeId": "str"},
    required=("EnvId", "ComputeNodeId"),
    limit=20,
)
def terminate_compute_node(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    _not_deleting(env)
    world.fleet.terminate_nodes(env, _nodes_to_terminate(env, [p["ComputeNodeId"]], plural=False))
    return {}


@PRODUCT.action(
    "TerminateComputeNodes",
    params={"EnvId": "str", "ComputeNodeIds": ["str"]},
    required=("EnvId", "ComputeNodeIds"),
    limit=20,
)
def terminate_compute_nodes(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    _not_deleting(env)
    if not p["ComputeNodeIds"] or len(p["ComputeNodeIds"]) > 100:
        raise ApiError("InvalidParameterValue", "Give 1 to 100 ComputeNodeIds.")
    world.fleet.terminate_nodes(env, _nodes_to_terminate(env, p["ComputeNodeIds"], plural=True))
    return {}


def _instance_ids(ids: list[str]) -> list[str]:
    if not ids or len(ids) > 100:
        raise ApiError("InvalidParameterValue", "Give 1 to 100 instances.")
    for instance_id in ids:
        if not INSTANCE_ID.match(instance_id):
            raise ApiError("InvalidParameterValue", f"Invalid instance ID `{instance_id}`.")
    if len(set(ids)) != len(ids):
        raise ApiError("InvalidParameterValue.InstanceIdDuplicated", "Instance IDs duplicate.")
    return ids


@PRODUCT.action(
    "AttachInstances",
    params={
        "EnvId": "str",
        "Instances": [{"InstanceId": "str", "ImageId": "str", "LoginSettings": "obj"}],
    },
    required=("EnvId", "Instances"),
    limit=20,
)
def attach_instances(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    _not_deleting(env)
    ids = _instance_ids([item.get("InstanceId", "") for item in p["Instances"]])
    in_batch = world.fleet.all_instance_ids()
    taken = [i for i in ids if i in in_batch]
    if taken:
        raise ApiError(
            "UnsupportedOperation.InstancesNotAllowToAttach",
            f"Instance(s) {', '.join(taken)} are already in the batch compute system.",
        )
    world.fleet.attach(env, ids)
    return {}


@PRODUCT.action(
    "DetachInstances",
    params={"EnvId": "str", "InstanceIds": ["str"]},
    required=("EnvId", "InstanceIds"),
    limit=20,
)
def detach_instances(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    env = env_or_404(world, p["EnvId"])
    _not_deleting(env)
    ids = _instance_ids(p["InstanceIds"])
    by_instance = {n.instance_id: n for n in env.nodes.values()}
    missing = [i for i in ids if i not in by_instance or by_instance[i].origin != "USER_ATTACHED"]
    if missing:
        raise ApiError(
            "UnsupportedOperation",
            f"Instance(s) {', '.join(missing)} were not added to this environment by AttachInstances.",
        )
    world.fleet.detach(env, [by_instance[i] for i in ids])
    return {}
