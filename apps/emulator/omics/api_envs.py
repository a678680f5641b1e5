"""Omics environments and cache volumes: DescribeEnvironments
(https://cloud.tencent.com/document/api/1643/90907) and DescribeVolumes
(https://cloud.tencent.com/document/api/1643/104062)."""

from __future__ import annotations

from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.filters import Getter
from apps.emulator.omics import wire
from apps.emulator.omics.params import compile_filters, page
from apps.emulator.omics.product import LIMIT, PRODUCT
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER

ENV_FILTERS: dict[str, Getter] = {
    "EnvironmentId": lambda e: [e["EnvironmentId"]],
    "Name": lambda e: [e["Name"]],
    "Status": lambda e: [e["Status"]],
}
VOLUME_FILTERS: dict[str, Getter] = {
    "Name": lambda v: [v["Name"]],
    "IsDefault": lambda v: ["true" if v["IsDefault"] else "false"],
}


def available_env(world: OmicsWorld, env_id: str) -> dict[str, Any]:
    """The environment a submission or a retry runs in; it must exist and be Available."""
    env = world.environments.get(env_id)
    if env is None:
        raise ApiError(
            "ResourceNotFound.EnvironmentNotExist", f"The environment `{env_id}` does not exist."
        )
    if not env["Available"]:
        raise ApiError(
            "InvalidParameterValue.EnvironmentNotAvailable",
            f"The environment `{env_id}` is not available.",
        )
    return env


@PRODUCT.action(
    "DescribeEnvironments",
    params={"Offset": "int", "Limit": "int", "Filters": [FILTER]},
    limit=LIMIT,
)
def describe_environments(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    offset, limit = page(p, default=20, maximum=100)
    matches = compile_filters(p.get("Filters"), ENV_FILTERS)
    envs = [wire.environment_view(e) for e in world.environments.values() if matches(e)]
    return {"TotalCount": len(envs), "Environments": envs[offset : offset + limit]}


@PRODUCT.action(
    "DescribeVolumes",
    params={"EnvironmentId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
    required=("EnvironmentId",),
    limit=LIMIT,
)
def describe_volumes(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if p["EnvironmentId"] not in world.environments:
        raise ApiError(
            "ResourceNotFound", f"The environment `{p['EnvironmentId']}` does not exist."
        )
    offset, limit = page(p, default=20, maximum=100)
    matches = compile_filters(p.get("Filters"), VOLUME_FILTERS)
    vols = [
        v for v in world.volumes.values() if v["EnvironmentId"] == p["EnvironmentId"] and matches(v)
    ]
    return {"Volumes": vols[offset : offset + limit], "TotalCount": len(vols)}
