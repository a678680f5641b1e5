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


def check_project(world: OmicsWorld, p: dict[str, Any]) -> None:
    """ProjectId, when given, must be the region's project ("" or absent: the default one)."""
    if p.get("ProjectId", world.project_id) not in ("", world.project_id):
        raise ApiError(
            "ResourceNotFound.ProjectNotExist", f"The project `{p['ProjectId']}` does not exist."
        )
