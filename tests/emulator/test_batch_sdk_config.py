"""The emulated Batch task templates and configuration catalog through the official SDK."""

from __future__ import annotations

from typing import Any

import pytest

from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import TIME, task
from tests.emulator.sdk import call

# A request field the SDK model does not know is dropped with only a warning: make it fail.
pytestmark = pytest.mark.filterwarnings("error:.*fileds are useless")


@pytest.fixture
def client(emulator: Emulator) -> Any:
    return batch_sdk(emulator)


# --- task templates --------------------------------------------------------------------------
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


# --- configuration catalog --------------------------------------------------------------------
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
