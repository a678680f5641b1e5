"""What the Omics actions share of their requests: the option structures, paging and filters
refused in Omics's own codes, and the project every platform action may name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from apps.emulator.errors import ApiError
from apps.emulator.filters import Getter
from apps.emulator.filters import compile_filters as _compile_filters
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.schema import Spec
from apps.emulator.schema import page as _page

# RunOption, NFOption and GitInfo (https://cloud.tencent.com/document/api/1643/89100).
RUN_OPTION: Spec = {
    "FailureMode": "str",
    "UseCallCache": "bool",
    "UseErrorOnHold": "bool",
    "FinalWorkflowOutputsDir": "str",
    "UseRelativeOutputPaths": "bool",
    "AddRunInfoToOutputDir": "bool",
}
NF_OPTION: Spec = {
    "Config": "str",
    "Profile": "str",
    "Report": "bool",
    "Resume": "bool",
    "NFVersion": "str",
    "LaunchDir": "str",
}
GIT_INFO: Spec = {
    "GitHttpPath": "str",
    "GitUserName": "str",
    "GitTokenOrPassword": "str",
    "Branch": "str",
    "Tag": "str",
}


def _omics_codes(error: ApiError) -> ApiError:
    """The shared paging and filter helpers speak Batch (`InvalidFilter`,
    `InvalidParameterValue.Negative`, ...); Omics documents no such codes, only
    `InvalidParameterValue` (https://cloud.tencent.com/document/api/1643/89109)."""
    return ApiError("InvalidParameterValue", error.message)


def page(p: dict[str, Any], *, default: int, maximum: int) -> tuple[int, int]:
    try:
        return _page(p, default=default, maximum=maximum)
    except ApiError as error:
        raise _omics_codes(error) from None


def compile_filters(
    filters: list[dict[str, Any]] | None, getters: Mapping[str, Getter]
) -> Callable[[Any], bool]:
    try:
        return _compile_filters(filters, getters)
    except ApiError as error:
        raise _omics_codes(error) from None


def check_project(world: OmicsWorld, p: dict[str, Any]) -> str:
    """The project a request names: its ProjectId, which must exist, or the region's default
    project when it is omitted or empty ("不填使用指定地域下的默认项目")."""
    project_id = p.get("ProjectId") or world.project_id
    if project_id not in world.projects:
        raise ApiError(
            "ResourceNotFound.ProjectNotExist", f"The project `{p['ProjectId']}` does not exist."
        )
    return project_id
