"""Omics tables: DescribeTables (https://cloud.tencent.com/document/api/1643/90980) and
DescribeTablesRows (https://cloud.tencent.com/document/api/1643/90979)."""

from __future__ import annotations

from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.filters import Getter
from apps.emulator.omics import wire
from apps.emulator.omics.params import check_project, compile_filters, page
from apps.emulator.omics.product import platform_action
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER

TABLE_FILTERS: dict[str, Getter] = {
    "Name": lambda t: [t["Name"]],
    "TableId": lambda t: [t["TableId"]],
}
ROW_FILTERS: dict[str, Getter] = {"TableRowUuid": lambda r: [r["TableRowUuid"]]}


@platform_action(
    "DescribeTables",
    params={"ProjectId": "str", "Limit": "int", "Offset": "int", "Filters": [FILTER]},
    required=("ProjectId",),
)
def describe_tables(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    offset, limit = page(p, default=10, maximum=100)
    matches = compile_filters(p.get("Filters"), TABLE_FILTERS)
    tables = [
        wire.table_view(t)
        for t in world.tables.values()
        if t["ProjectId"] == project_id and matches(t)
    ]
    return {"TotalCount": len(tables), "Tables": tables[offset : offset + limit]}


@platform_action(
    "DescribeTablesRows",
    params={
        "ProjectId": "str",
        "TableId": "str",
        "Limit": "int",
        "Offset": "int",
        "Filters": [FILTER],
    },
    required=("ProjectId", "TableId"),
)
def describe_tables_rows(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    table = world.tables.get(p["TableId"])
    if table is None or table["ProjectId"] != project_id:
        raise ApiError(
            "ResourceNotFound.TableNotExist", f"The table `{p['TableId']}` does not exist."
        )
    offset, limit = page(p, default=10, maximum=100)
    # `Tr` matches any cell containing one of its values (the doc: fuzzy); the others are exact.
    fuzzy = [f for f in p.get("Filters") or [] if f.get("Name") == "Tr"]
    exact = [f for f in p.get("Filters") or [] if f.get("Name") != "Tr"]
    matches = compile_filters(exact, ROW_FILTERS)
    rows = [
        r
        for r in table["_rows"]
        if matches(r)
        and all(any(v in cell for v in f["Values"] for cell in r["Content"]) for f in fuzzy)
    ]
    return {"TotalCount": len(rows), "Rows": rows[offset : offset + limit]}
