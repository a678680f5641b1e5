"""Omics submissions: RunApplication (https://cloud.tencent.com/document/api/1643/89094) and
RunWorkflow (https://cloud.tencent.com/document/api/1643/100857)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.omics.api_envs import available_env
from apps.emulator.omics.params import GIT_INFO, NF_OPTION, RUN_OPTION, check_project
from apps.emulator.omics.product import platform_action
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.registry import Context


def _decoded_input(p: dict[str, Any]) -> tuple[str, str, str]:
    """(input JSON text, InputType, InputCosUri) from InputBase64 or InputCosUri."""
    if "InputBase64" in p:
        try:
            text = base64.b64decode(p["InputBase64"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError(
                "InvalidParameterValue.InvalidBase64Encode", "InputBase64 is not valid base64."
            ) from None
        try:
            json.loads(text)
        except ValueError:
            raise ApiError(
                "InvalidParameterValue.InvalidInputJsonFormat", "The input is not valid JSON."
            ) from None
        return text.strip(), "JSON", ""
    if "InputCosUri" in p:
        if not p["InputCosUri"].startswith("cos://"):
            raise ApiError(
                "InvalidParameterValue.InvalidCosKey", "InputCosUri must be a cos:// address."
            )
        return "{}", "COS", p["InputCosUri"]
    raise ApiError("MissingParameter", "One of InputBase64 and InputCosUri is required.")


def _run_settings(world: OmicsWorld, p: dict[str, Any]) -> dict[str, Any]:
    """Cache volumes (default: the environment's default volume) and the cache clean-up delay."""
    delay = p.get("CacheClearDelay", 0)
    if delay < 0:
        raise ApiError("InvalidParameterValue", "CacheClearDelay must not be negative.")
    volumes = p.get("VolumeIds") or world.default_volume_ids(p["EnvironmentId"])
    unknown = [v for v in volumes if v not in world.volumes]
    if unknown:
        raise ApiError("ResourceNotFound", f"Cache volume(s) {', '.join(unknown)} do not exist.")
    return {"volume_ids": volumes, "cache_clear_delay": delay}


def _access_mode(p: dict[str, Any]) -> str:
    mode = p.get("AccessMode", "PRIVATE")
    if mode not in ("PRIVATE", "PUBLIC"):
        raise ApiError("InvalidParameterValue", "AccessMode must be PRIVATE or PUBLIC.")
    return mode


def _check_name(world: OmicsWorld, name: str, description: str) -> None:
    if not name or len(name) > 200:
        raise ApiError("InvalidParameterValue.InvalidName", "The name must be 1 to 200 characters.")
    if len(description) > 500:
        raise ApiError("InvalidParameterValue.InvalidDescription", "The description is too long.")
    if any(g.name == name for g in world.groups.values()):
        raise ApiError(
            "InvalidParameterValue.DuplicateName", f"A run group is already named `{name}`."
        )


@platform_action(
    "RunApplication",
    params={
        "ApplicationId": "str",
        "Name": "str",
        "EnvironmentId": "str",
        "ProjectId": "str",
        "Description": "str",
        "InputCosUri": "str",
        "InputBase64": "str",
        "TableId": "str",
        "TableRowUuids": ["str"],
        "CacheClearDelay": "int",
        "ApplicationVersionId": "str",
        "Option": RUN_OPTION,
        "NFOption": NF_OPTION,
        "WorkDir": "str",
        "AccessMode": "str",
        "VolumeIds": ["str"],
    },
    required=("ApplicationId", "Name", "EnvironmentId"),
)
def run_application(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    app = world.apps.get(p["ApplicationId"])
    if app is None:
        raise ApiError(
            "ResourceNotFound.ApplicationNotExist",
            f"The application `{p['ApplicationId']}` does not exist.",
        )
    if "ApplicationVersionId" in p and p["ApplicationVersionId"] not in {
        v["ApplicationVersionId"] for v in app.versions
    }:
        raise ApiError(
            "ResourceNotFound.ApplicationVersionNotExist", "The application version does not exist."
        )
    available_env(world, p["EnvironmentId"])
    _check_name(world, p["Name"], p.get("Description", ""))
    text, input_type, cos_uri = _decoded_input(p)
    inputs = [(text, "", "")]
    if p.get("TableId"):
        table = world.tables.get(p["TableId"])
        if table is None:
            raise ApiError(
                "ResourceNotFound.TableNotExist", f"The table `{p['TableId']}` does not exist."
            )
        rows = {row["TableRowUuid"]: row for row in table["_rows"]}
        wanted = p.get("TableRowUuids") or list(rows)
        missing = [u for u in wanted if u not in rows]
        if missing:
            raise ApiError(
                "ResourceNotFound.TableRowNotExist",
                f"Table rows {', '.join(missing)} do not exist.",
            )
        inputs = [(text, u, rows[u]["Content"][0]) for u in wanted]
    group = world.submit_group(
        project_id=project_id,
        name=p["Name"],
        description=p.get("Description", ""),
        env_id=p["EnvironmentId"],
        type=app.type,
        app=app,
        input=text,
        input_type=input_type,
        input_cos_uri=cos_uri,
        option=p.get("Option") or {},
        nf_option=p.get("NFOption") or {},
        table_id=p.get("TableId", ""),
        work_dir=p.get("WorkDir", ""),
        inputs=inputs,
        **_run_settings(world, p),
        access_mode=_access_mode(p),
    )
    return {"RunGroupId": group.id}


@platform_action(
    "RunWorkflow",
    params={
        "Name": "str",
        "EnvironmentId": "str",
        "GitSource": GIT_INFO,
        "Type": "str",
        "NFOption": NF_OPTION,
        "ProjectId": "str",
        "Description": "str",
        "InputBase64": "str",
        "InputCosUri": "str",
        "CacheClearDelay": "int",
        "WorkDir": "str",
        "VolumeIds": ["str"],
        "Entrypoint": "str",
    },
    required=("Name", "EnvironmentId", "GitSource", "Type", "NFOption"),
)
def run_workflow(world: OmicsWorld, p: dict[str, Any], ctx: Context) -> dict[str, Any]:
    project_id = check_project(world, p)
    if p["Type"] != "NEXTFLOW":
        raise ApiError("InvalidParameterValue", "Type supports only NEXTFLOW.")
    if not p["GitSource"].get("GitHttpPath"):
        raise ApiError("MissingParameter", "The parameter `GitSource.GitHttpPath` is missing.")
    available_env(world, p["EnvironmentId"])
    _check_name(world, p["Name"], p.get("Description", ""))
    text, input_type, cos_uri = _decoded_input(p)
    group = world.submit_group(
        project_id=project_id,
        name=p["Name"],
        description=p.get("Description", ""),
        env_id=p["EnvironmentId"],
        type="NEXTFLOW",
        app=None,
        input=text,
        input_type=input_type,
        input_cos_uri=cos_uri,
        option={},
        nf_option=p["NFOption"],
        work_dir=p.get("WorkDir", ""),
        **_run_settings(world, p),
        git_source={k: v for k, v in p["GitSource"].items() if k != "GitTokenOrPassword"},
        inputs=[(text, "", "")],
    )
    return {"RunGroupId": group.id}
