"""DescribeProjects: the projects of a region (https://cloud.tencent.com/document/product/1643/130409;
the official SDK's DescribeProjectsRequest has Limit, Offset and Filters Name / ProjectId /
Region, and a Project has ProjectId, Name, Description, Region, CreateTime, UpdateTime,
Creator, IsDefault). Served, like the other project-scoped actions, where the platform
actions are."""

from __future__ import annotations

from typing import Any

from apps.emulator.filters import Getter
from apps.emulator.omics.params import compile_filters, page
from apps.emulator.omics.product import platform_action
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER

PROJECT_FILTERS: dict[str, Getter] = {
    "Name": lambda p: [p["Name"]],
    "ProjectId": lambda p: [p["ProjectId"]],
    "Region": lambda p: [p["Region"]],
}


def project_view(world: OmicsWorld, project_id: str, name: str) -> dict[str, Any]:
    return {
        "ProjectId": project_id,
        "Name": name,
        "Description": "",
        "Region": world.region,
        "CreateTime": "2026-01-05T10:00:00+08:00",
        "UpdateTime": "2026-01-05T10:00:00+08:00",
        "Creator": "100000000001",
        "IsDefault": project_id == world.project_id,
    }


@platform_action("DescribeProjects", params={"Limit": "int", "Offset": "int", "Filters": [FILTER]})
def describe_projects(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), PROJECT_FILTERS)
    views = [project_view(world, pid, name) for pid, name in world.projects.items()]
    found = [v for v in views if matches(v)]
    return {"TotalCount": len(found), "Projects": found[offset : offset + limit]}
