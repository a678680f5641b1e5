"""Batch task templates and configuration viewing; their pages are
https://www.tencentcloud.com/document/api/599/<id>:
CreateTaskTemplate 30569, ModifyTaskTemplate 30491, DeleteTaskTemplates 30567,
DescribeTaskTemplates 30565, DescribeAvailableCvmInstanceTypes 30545,
DescribeCvmZoneInstanceConfigInfos 30543, DescribeInstanceCategories 30487."""

from __future__ import annotations

import re
from typing import Any

from apps.emulator.batch import content
from apps.emulator.batch.api_envs import ENV_ID, MAX_IDS
from apps.emulator.batch.product import PRODUCT
from apps.emulator.batch.world import BatchWorld
from apps.emulator.errors import ApiError, not_found
from apps.emulator.filters import compile_filters, tag_getters
from apps.emulator.registry import Context
from apps.emulator.schema import FILTER, TAG, page
from apps.emulator.timefmt import batch_time

TEMPLATE_ID = re.compile(r"^task-tmpl-[a-z0-9]{8}$")
TEMPLATE_FILTERS = {
    "task-template-name": lambda t: [t["TaskTemplateName"]],
    **tag_getters(lambda t: t.get("Tags") or []),
}


def _check_template_fields(p: dict[str, Any]) -> None:
    if len(p.get("TaskTemplateName", "")) > 60:
        raise ApiError(
            "InvalidParameter.TaskTemplateNameTooLong", "The task template name is too long."
        )
    if len(p.get("TaskTemplateDescription", "")) > 200:
        raise ApiError(
            "InvalidParameter.TaskTemplateDescriptionTooLong",
            "The task template description is too long.",
        )
    info = p.get("TaskTemplateInfo")
    if info is not None:
        if "Application" not in info:
            raise ApiError(
                "MissingParameter", "The parameter `TaskTemplateInfo.Application` is missing."
            )
        if "ComputeEnv" in info and "EnvId" in info:
            raise ApiError(
                "AllowedOneAttributeInEnvIdAndComputeEnv",
                "ComputeEnv and EnvId cannot be both specified.",
            )
        # EnvIdMalformed is in CreateTaskTemplate's error list
        # (https://www.tencentcloud.com/document/api/599/30569)
        if "EnvId" in info and not ENV_ID.match(str(info["EnvId"])):
            raise ApiError(
                "InvalidParameter.EnvIdMalformed",
                f"Invalid compute environment ID `{info['EnvId']}`.",
            )


def _template_or_404(world: BatchWorld, template_id: str) -> dict[str, Any]:
    if not TEMPLATE_ID.match(template_id):
        raise ApiError(
            "InvalidParameter.TaskTemplateIdMalformed", f"Invalid task template ID `{template_id}`."
        )
    template = world.templates.get(template_id)
    if template is None:
        raise not_found("TaskTemplate", template_id)
    return template


@PRODUCT.action(
    "CreateTaskTemplate",
    params={
        "TaskTemplateName": "str",
        "TaskTemplateInfo": "obj",
        "TaskTemplateDescription": "str",
        "Tags": [TAG],
    },
    required=("TaskTemplateName", "TaskTemplateInfo"),
    limit=2,
)
def create_task_template(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    _check_template_fields(p)
    if len(p.get("Tags") or []) > 10:
        raise ApiError("InvalidParameterValue", "A task template supports up to 10 tags.")
    template_id = world.ids.short("task-tmpl")
    world.templates[template_id] = {
        "TaskTemplateId": template_id,
        "TaskTemplateName": p["TaskTemplateName"],
        "TaskTemplateDescription": p.get("TaskTemplateDescription", ""),
        "TaskTemplateInfo": p["TaskTemplateInfo"],
        "CreateTime": batch_time(ctx.now),
        "Tags": p.get("Tags") or [],
    }
    return {"TaskTemplateId": template_id}


@PRODUCT.action(
    "ModifyTaskTemplate",
    params={
        "TaskTemplateId": "str",
        "TaskTemplateName": "str",
        "TaskTemplateDescription": "str",
        "TaskTemplateInfo": "obj",
    },
    required=("TaskTemplateId",),
    limit=2,
)
def modify_task_template(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    template = _template_or_404(world, p["TaskTemplateId"])
    changes = {
        k: p[k]
        for k in ("TaskTemplateName", "TaskTemplateDescription", "TaskTemplateInfo")
        if k in p
    }
    if not changes:
        raise ApiError(
            "InvalidParameterAtLeastOneAttribute",
            "At least one of TaskTemplateName, TaskTemplateDescription and TaskTemplateInfo is required.",
        )
    _check_template_fields(p)
    template.update(changes)
    return {}


@PRODUCT.action(
    "DeleteTaskTemplates",
    params={"TaskTemplateIds": ["str"]},
    required=("TaskTemplateIds",),
    limit=2,
)
def delete_task_templates(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if not p["TaskTemplateIds"] or len(p["TaskTemplateIds"]) > 100:
        raise ApiError("InvalidParameterValue", "Give 1 to 100 TaskTemplateIds.")
    for template_id in p["TaskTemplateIds"]:
        _template_or_404(world, template_id)
    for template_id in p["TaskTemplateIds"]:
        world.templates.pop(template_id, None)
    return {}


@PRODUCT.action(
    "DescribeTaskTemplates",
    params={"TaskTemplateIds": ["str"], "Filters": [FILTER], "Offset": "int", "Limit": "int"},
    limit=2,
)
def describe_task_templates(world: BatchWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    if "TaskTemplateIds" in p and "Filters" in p:
        raise ApiError(
            "InvalidParameter.InvalidParameterCombination",
            "TaskTemplateIds and Filters cannot both be given.",
        )
    offset, limit = page(p, default=20, maximum=100)
    if limit < 1:  # "可选范围[1-100]" (the official SDK's models.py)
        raise ApiError("InvalidParameterValue", "Limit must be 1 to 100.")
    if len(p.get("TaskTemplateIds", [])) > MAX_IDS:  # "模版ID最大限制100"
        raise ApiError("InvalidParameterValue", f"At most {MAX_IDS} TaskTemplateIds can be given.")
    for template_id in p.get("TaskTemplateIds", []):
        if not TEMPLATE_ID.match(template_id):
            raise ApiError(
                "InvalidParameter.TaskTemplateIdMalformed",
                f"Invalid task template ID `{template_id}`.",
            )
    matches = compile_filters(p.get("Filters"), TEMPLATE_FILTERS)
    found = [
        t
        for t in reversed(world.templates.values())
        if matches(t)
        and ("TaskTemplateIds" not in p or t["TaskTemplateId"] in p["TaskTemplateIds"])
    ]
    return {"TaskTemplateSet": found[offset : offset + limit], "TotalCount": len(found)}


def _zone_checked(filters: list[dict[str, Any]] | None, region: str) -> None:
    for flt in filters or []:
        if flt.get("Name") == "zone":
            for zone in flt.get("Values", []):
                if not zone.startswith(region + "-"):
                    raise ApiError(
                        "InvalidParameterValue.InvalidZoneMismatchRegion",
                        f"The availability zone `{zone}` and the region `{region}` do not match.",
                    )


TYPE_FILTERS = {
    "zone": lambda row: [row[0]],
    "instance-family": lambda row: [row[1]],
    "instance-type": lambda row: [row[2]],
    "instance-charge-type": lambda row: ["POSTPAID_BY_HOUR", "SPOTPAID"],
}


@PRODUCT.action("DescribeAvailableCvmInstanceTypes", params={"Filters": [FILTER]}, limit=2)
def describe_available_cvm_instance_types(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    _zone_checked(p.get("Filters"), ctx.region)
    getters = {k: TYPE_FILTERS[k] for k in ("zone", "instance-family")}
    matches = compile_filters(p.get("Filters"), getters)
    rows = [r for r in content.INSTANCE_TYPES if r[0].startswith(ctx.region + "-") and matches(r)]
    return {
        "InstanceTypeConfigSet": [
            {"Mem": mem, "Cpu": cpu, "InstanceType": kind, "Zone": zone, "InstanceFamily": family}
            for zone, family, kind, cpu, mem, _ in rows
        ]
    }


@PRODUCT.action("DescribeCvmZoneInstanceConfigInfos", params={"Filters": [FILTER]}, limit=5)
def describe_cvm_zone_instance_config_infos(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    _zone_checked(p.get("Filters"), ctx.region)
    for flt in p.get("Filters") or []:
        if flt.get("Name") == "instance-charge-type":
            bad = set(flt.get("Values", [])) - {"POSTPAID_BY_HOUR", "SPOTPAID"}
            if bad:
                raise ApiError(
                    "InvalidParameterValue.UnsupportedBatchInstanceChargeType",
                    f"The billing type {', '.join(sorted(bad))} is not supported by BatchCompute.",
                )
    matches = compile_filters(p.get("Filters"), TYPE_FILTERS)
    rows = [r for r in content.INSTANCE_TYPES if r[0].startswith(ctx.region + "-") and matches(r)]
    return {
        "InstanceTypeQuotaSet": [
            {
                "Zone": zone,
                "InstanceType": kind,
                "InstanceChargeType": "POSTPAID_BY_HOUR",
                "NetworkCard": 0,
                "Externals": {},
                "Cpu": cpu,
                "Memory": mem,
                "InstanceFamily": family,
                "TypeName": f"Standard {family}",
                "LocalDiskTypeList": [],
                "Status": "SELL",
                "Price": {"UnitPrice": price, "ChargeUnit": "HOUR"},
                "SoldOutReason": "",
                "InstanceBandwidth": 1.5,
                "InstancePps": 30,
                "StorageBlockAmount": 0,
                "CpuType": "Intel Xeon Cascade Lake 8255C(2.5 GHz)",
                "Gpu": 0,
                "Fpga": 0,
                "Remark": "",
                "GpuCount": 0.0,
                "Frequency": "2.5/3.1GHz",
            }
            for zone, family, kind, cpu, mem, price in rows
        ]
    }


@PRODUCT.action("DescribeInstanceCategories", params={}, limit=20)
def describe_instance_categories(
    world: BatchWorld, p: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    return {
        "InstanceCategorySet": [
            {"InstanceCategory": name, "InstanceFamilySet": families}
            for name, families in content.INSTANCE_CATEGORIES
        ]
    }
