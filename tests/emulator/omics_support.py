"""Helpers shared by the Omics emulator tests (test_omics_*.py): the demo world's ids, submitting
through the official SDK, and moving the ManualClock until a run group reaches a state."""

from __future__ import annotations

import base64
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.omics.v20221128 import models

from apps.emulator.clock import ManualClock
from apps.emulator.omics.world import OmicsWorld
from apps.emulator.server import Emulator
from tests.emulator.sdk import call

HOME = "ap-guangzhou"  # where the demo scenario builds its omics world
# The emulator's chosen vocabulary (apps/emulator/omics/world.py docstring); the doc shows
# only the terminal values.
GROUP_ENDED = {"COMPLETE", "COMPLETE_ERROR"}
RUN_ENDED = {"SUCCESS", "EXECUTOR_ERROR", "CANCELED"}
# The platform actions the emulator implements (served in ap-beijing, ap-guangzhou, ap-shanghai).
PLATFORM_ACTIONS = (
    "DescribeRunGroups",
    "DescribeRuns",
    "GetRunCalls",
    "GetRunMetadataFile",
    "GetRunStatus",
    "TerminateRunGroup",
    "RetryRuns",
    "RunApplication",
    "RunWorkflow",
    "DescribeTables",
    "DescribeTablesRows",
)
ENVIRONMENT_ACTIONS = ("DescribeEnvironments", "DescribeVolumes")


def omics_world(emulator: Emulator, region: str = HOME) -> OmicsWorld:
    """The world behind a region: read for ids the API cannot list (there is no implemented
    DescribeApplications), or seeded where no implemented action can create the objects."""
    return emulator.worlds[("omics", region)]


@dataclass(frozen=True)
class Demo:
    """Ids of the demo scenario's fixed objects."""

    project_id: str
    env_id: str  # available
    broken_env_id: str  # Status ERROR, Available false
    volume_id: str
    apps: dict[str, str]  # application name -> id
    table_id: str
    rows: list[tuple[str, str]]  # (TableRowUuid, first column) in table order

    @property
    def wdl_app(self) -> str:
        return self.apps["fastp-qc"]

    @property
    def nf_app(self) -> str:
        return self.apps["nf-rnaseq"]


def demo_ids(emulator: Emulator) -> Demo:
    world = omics_world(emulator)
    with world.lock:
        envs = list(world.environments.values())
        table = next(iter(world.tables.values()))
        return Demo(
            project_id=world.project_id,
            env_id=next(e["EnvironmentId"] for e in envs if e["Available"]),
            broken_env_id=next(e["EnvironmentId"] for e in envs if not e["Available"]),
            volume_id=next(iter(world.volumes)),
            apps={app.name: app.id for app in world.apps.values()},
            table_id=table["TableId"],
            rows=[(r["TableRowUuid"], r["Content"][0]) for r in table["_rows"]],
        )


def as_dict(model: Any) -> dict[str, Any]:
    """An SDK response model as plain JSON data (absent members come back as None)."""
    return json.loads(model.to_json_string())


def sdk(client: Any, action: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call through the SDK model (strict: unknown response fields fail) and return JSON data."""
    return as_dict(call(client, action, params or {}))


def refusal(client: Any, action: str, params: dict[str, Any]) -> str:
    """The error code the emulator answers with; fails the test if the call succeeds."""
    with pytest.raises(TencentCloudSDKException) as caught:
        call(client, action, params)
    return str(caught.value.code)


def b64json(data: Any) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


_names = iter(range(1, 1_000_000))


def unique_name(prefix: str = "t") -> str:
    """Run group names must be unique (InvalidParameterValue.DuplicateName)."""
    return f"{prefix}-{next(_names):06d}"


def run_application(client: Any, demo: Demo, **overrides: Any) -> str:
    """Submit the WDL demo application (single run unless a TableId is given)."""
    params: dict[str, Any] = {
        "ApplicationId": demo.wdl_app,
        "Name": unique_name(),
        "EnvironmentId": demo.env_id,
        "InputBase64": b64json({"fastp_qc.sample": "cos://seq-data/S001.fastq.gz"}),
        **overrides,
    }
    group_id = sdk(client, "RunApplication", params)["RunGroupId"]
    assert group_id.startswith("run-")
    return group_id


def group(client: Any, group_id: str) -> dict[str, Any]:
    found = sdk(
        client, "DescribeRunGroups", {"Filters": [{"Name": "RunGroupId", "Values": [group_id]}]}
    )
    assert found["TotalCount"] == 1, found
    return found["RunGroups"][0]


def runs_of(client: Any, group_id: str) -> list[dict[str, Any]]:
    found = sdk(
        client,
        "DescribeRuns",
        {"Limit": 100, "Filters": [{"Name": "RunGroupId", "Values": [group_id]}]},
    )
    assert found["TotalCount"] == len(found["Runs"])
    return found["Runs"]


def run(client: Any, run_uuid: str) -> dict[str, Any]:
    found = sdk(client, "DescribeRuns", {"Filters": [{"Name": "RunUuid", "Values": [run_uuid]}]})
    assert found["TotalCount"] == 1, found
    return found["Runs"][0]


def counts(run_group: dict[str, Any]) -> dict[str, int]:
    return {c["Status"]: c["Count"] for c in run_group["RunStatusCounts"]}


def advance_until(
    clock: ManualClock,
    look: Callable[[], dict[str, Any]],
    done: Callable[[dict[str, Any]], bool],
    *,
    step: float = 5.0,
    limit: float = 7200.0,
) -> list[dict[str, Any]]:
    """Move the clock by `step` until `done(look())`; every snapshot seen, the last one done.

    A run waits 5 s or more before it starts and then runs for more than 10 s (each call takes
    10 s or more), so steps of 5 s see each phase of a run at least once."""
    seen = [look()]
    waited = 0.0
    while not done(seen[-1]):
        assert waited < limit, f"still not done after {limit:.0f} s: {seen[-1]}"
        clock.advance(step)
        waited += step
        seen.append(look())
    return seen


def distinct(values: list[str]) -> list[str]:
    """Consecutive duplicates removed: the sequence of states a poller would notice."""
    return [v for i, v in enumerate(values) if i == 0 or values[i - 1] != v]


def group_history(clock: ManualClock, client: Any, group_id: str) -> list[dict[str, Any]]:
    """Snapshots of a run group from now until it ends: fine steps until it has started (so
    RUNNING is seen), then coarse ones (each poll is an HTTP round trip)."""
    seen = advance_until(clock, lambda: group(client, group_id), lambda g: g["Status"] != "INIT")
    more = advance_until(
        clock, lambda: group(client, group_id), lambda g: g["Status"] in GROUP_ENDED, step=60
    )
    return seen + more[1:]


def finished_group(clock: ManualClock, client: Any, group_id: str) -> dict[str, Any]:
    return group_history(clock, client, group_id)[-1]


def terminated_batch(client: Any, demo: Demo, rows: int) -> tuple[str, list[dict[str, Any]]]:
    """A table batch of `rows` runs, terminated at once: every run CANCELED (retryable)."""
    group_id = run_application(
        client, demo, TableId=demo.table_id, TableRowUuids=[uuid for uuid, _ in demo.rows[:rows]]
    )
    sdk(client, "TerminateRunGroup", {"RunGroupId": group_id})
    runs = runs_of(client, group_id)
    assert {r["Status"] for r in runs} == {"CANCELED"}
    return group_id, runs


# --- raw answers and the SDK models' declared types --------------------------------------------
def cos_file(url: str) -> tuple[str, str]:
    """(run uuid, file name) from `…/omics/<RunUuid>/<file>` (the doc's example URL shape)."""
    *_, run_uuid, name = urlsplit(url).path.split("/")
    return run_uuid, name


def send_raw(client: Any, action: str, params: dict[str, Any]) -> dict[str, Any]:
    """`params` through the SDK's request model; the raw answer, after the SDK's response model
    has parsed it strictly (a member it does not know fails, as in `call`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "... fileds are useless." = a member the model lacks
        request = getattr(models, f"{action}Request")()
        request.from_json_string(json.dumps(params))
        answer = client.call_json(action, request._serialize())["Response"]
        getattr(models, f"{action}Response")()._deserialize(answer)
    return answer


_DECLARED = re.compile(r":type (\w+): (.+)")
_PRIMITIVES: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
# Times are ISO 8601 with an offset, except these two plain ones
# (https://cloud.tencent.com/document/api/1643/89100); "" is the emulator's "not reached yet".
_PLAIN_TIMES = {("Table", "CreateTime"), ("ApplicationVersion", "CreateTime")}


def _declared(model: str) -> dict[str, str]:
    return dict(_DECLARED.findall(getattr(models, model).__init__.__doc__ or ""))


def _time_error(model: str, key: str, value: str) -> str | None:
    if value == "":
        return None
    if (model, key) in _PLAIN_TIMES:
        ok = re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value) is not None
    else:
        try:
            ok = datetime.fromisoformat(value).tzinfo is not None and "T" in value
        except ValueError:
            ok = False
    return None if ok else f"{value!r} is not the documented time format"


def type_errors(model: str, data: dict[str, Any], path: str = "") -> list[str]:
    """Members whose JSON value is not of the type the SDK model declares (null is allowed:
    the API marks members "may return null"), and times not in the documented format."""
    declared, errors = _declared(model), []
    for key, value in data.items():
        where = f"{path}.{key}" if path else key
        kind = declared.get(key)
        if kind is None:
            errors.append(f"{where}: not a member of {model}")
            continue
        if value is None:
            continue
        items = [value]
        if kind.startswith("list of "):
            if not isinstance(value, list):
                errors.append(f"{where}: {value!r} is not a list")
                continue
            items, kind = value, kind.removeprefix("list of ")
        for item in items:
            if kind in _PRIMITIVES:
                if not _PRIMITIVES[kind](item):
                    errors.append(f"{where}: {item!r} is not {kind}")
                elif (
                    key.endswith("Time")
                    and kind == "str"
                    and (problem := _time_error(model, key, item))
                ):
                    errors.append(f"{where}: {problem}")
            elif not isinstance(item, dict):
                errors.append(f"{where}: {item!r} is not an object")
            else:
                errors += type_errors(kind.rsplit(".", 1)[-1].strip("`"), item, where)
    return errors
