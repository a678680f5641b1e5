"""Every Batch doc example (tests/fixtures/doc_examples/batch.json) replayed against the emulator.

Each example's request is sent through the SDK's generic `call_json` (signed, JSON, the raw
response back), after making the world hold what the example refers to: the doc's ids
(`job-97zcl3wt`, `env-lcpcej85`, ...) do not exist here, so they are replaced by ids of
objects built to look like the doc's (a SUCCEED diamond job like job-97zcl3wt, an
environment created from the doc's creation info, ...). The emulator's response must then
have the doc response's field names and JSON types, recursively.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.server import Emulator
from tests.conftest import batch_sdk
from tests.emulator.batch_support import (
    ENDED,
    failed_job,
    job,
    ready_env,
    running_job,
    submit,
    succeeded_job,
    task,
    wait_for_job,
    wait_for_running_nodes,
)
from tests.emulator.sdk import call

FIXTURE = Path(__file__).parents[1] / "fixtures" / "doc_examples" / "batch.json"
EXAMPLES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())

# The doc's examples print a few values as strings where the doc's own tables say Integer or
# Boolean (see the fixtures README). The emulator follows the tables, so for these
# fields, and only these, a string in the doc also accepts the documented type.
DOC_STRINGS_FOR: dict[str, type] = {
    "PublicIpAssigned": bool,  # InternetAccessible: "TRUE" in DescribeComputeEnvCreateInfo
    "DiskSize": int,  # SystemDisk/DataDisk: "50", "0" in DescribeTaskTemplates
    "InternetMaxBandwidthOut": int,  # InternetAccessible: "10" in DescribeTaskTemplates
}
# Fields the data types (https://www.tencentcloud.com/document/api/599/30482) document but the doc's
# older examples do not print (added in later releases, so an answer may carry them). Per place in a
# response (list indexes as []): each such field and its documented JSON type.
NEWER_FIELDS: dict[str, dict[str, str]] = {
    "Response.InstanceTypeQuotaSet[]": {  # InstanceTypeQuotaItem
        "SoldOutReason": "string",
        "InstanceBandwidth": "number",
        "InstancePps": "integer",
        "StorageBlockAmount": "integer",
        "CpuType": "string",
        "Gpu": "integer",
        "Fpga": "integer",
        "Remark": "string",
        "GpuCount": "number",
        "Frequency": "string",
    },
}

pytestmark = pytest.mark.filterwarnings(
    "error:.*fileds are useless"
)  # a request field the SDK drops


# --- comparing shapes ------------------------------------------------------------------------
def kind(value: Any) -> str:
    """The JSON type of a value; integers and other numbers apart, as the doc's tables are."""
    for python, name in (
        (type(None), "null"),
        (bool, "boolean"),
        (int, "integer"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
    ):
        if isinstance(value, python):
            return name
    raise TypeError(type(value))


def shape_problems(actual: Any, doc: Any, path: str = "Response") -> list[str]:
    """How `actual` differs from `doc` in field names and JSON types (empty when alike).

    `null` in the doc matches anything. Lists compare element by element when both have as
    many elements, otherwise every actual element against every doc element; a doc list with
    elements needs a non-empty actual list (else there is nothing to compare).
    """
    if doc is None:
        return []
    field = path.rsplit(".", 1)[-1].split("[")[0]
    if (
        isinstance(doc, str)
        and field in DOC_STRINGS_FOR
        and kind(actual) == kind(DOC_STRINGS_FOR[field]())
    ):
        return []
    if kind(actual) != kind(doc):
        theirs, ours = f"{kind(doc)} {doc!r:.40}", f"{kind(actual)} {actual!r:.40}"
        return [f"{path}: the doc has {theirs}, the emulator {ours}"]
    if isinstance(doc, dict):
        newer = NEWER_FIELDS.get(re.sub(r"\[\d+\]", "[]", path), {})
        problems = [f"{path}.{k}: missing" for k in doc if k not in actual]
        for key in actual.keys() - doc.keys():
            if key not in newer:
                problems.append(f"{path}.{key}: not in the doc")
            elif kind(actual[key]) not in (newer[key], "null"):
                problems.append(
                    f"{path}.{key}: documented as {newer[key]}, the emulator {kind(actual[key])}"
                )
        for key in doc.keys() & actual.keys():
            problems += shape_problems(actual[key], doc[key], f"{path}.{key}")
        return sorted(problems)
    if isinstance(doc, list):
        if doc and not actual:
            return [f"{path}: empty, the doc's has {len(doc)} elements"]
        if len(doc) == len(actual):
            pairs = [(i, a, d) for i, (a, d) in enumerate(zip(actual, doc, strict=True))]
        else:
            pairs = [(i, a, d) for i, a in enumerate(actual) for d in doc]
        return sorted({p for i, a, d in pairs for p in shape_problems(a, d, f"{path}[{i}]")})
    return []


def test_the_shape_comparison_catches_what_it_must() -> None:
    doc = {"A": 1, "B": [{"C": "x", "D": None}], "DiskSize": "50", "E": "TRUE"}
    assert (
        shape_problems({"A": 2, "B": [{"C": "y", "D": 3}], "DiskSize": 50, "E": "FALSE"}, doc) == []
    )
    assert (
        shape_problems({"A": 2, "B": [{"C": "y", "D": 3}], "DiskSize": "50", "E": "x"}, doc) == []
    )
    assert shape_problems(
        {"A": 1.5, "B": [{"C": 1, "D": 3, "F": 0}], "DiskSize": 50, "E": True}, doc
    ) == [
        "Response.A: the doc has integer 1, the emulator number 1.5",
        "Response.B[0].C: the doc has string 'x', the emulator integer 1",
        "Response.B[0].F: not in the doc",
        "Response.E: the doc has string 'TRUE', the emulator boolean True",  # not on the list
    ]
    assert shape_problems({"A": 1, "B": [], "DiskSize": None}, doc) == [
        "Response.B: empty, the doc's has 1 elements",
        "Response.DiskSize: the doc has string '50', the emulator null None",
        "Response.E: missing",
    ]
    quota = {"InstanceTypeQuotaSet": [{"Zone": "z"}]}
    assert shape_problems(
        {"InstanceTypeQuotaSet": [{"Zone": "z", "Gpu": 0, "Fpga": "0", "Other": 1}]}, quota
    ) == [
        "Response.InstanceTypeQuotaSet[0].Fpga: documented as integer, the emulator string",
        "Response.InstanceTypeQuotaSet[0].Other: not in the doc",
    ]


# --- making the world hold what each example refers to -----------------------------------------
@dataclass
class World:
    emulator: Emulator
    clock: ManualClock
    client: Any

    def demo_env(self) -> str:
        return str(call(self.client, "DescribeComputeEnvs", {}).ComputeEnvSet[0].EnvId)


def doc_example(action: str) -> dict[str, Any]:
    """The (first) example of `action`: request and response, a copy to change at will."""
    return deepcopy(next(e for e in EXAMPLES if e["action"] == action))


def doc_response(action: str) -> dict[str, Any]:
    return dict(doc_example(action)["response"])


def documented(value: Any, field: str = "") -> Any:
    """The doc's value with its string oddities turned into the documented types, to send."""
    if isinstance(value, dict):
        return {k: documented(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [documented(v, field) for v in value]
    if isinstance(value, str) and field in DOC_STRINGS_FOR:
        return value.upper() == "TRUE" if DOC_STRINGS_FOR[field] is bool else int(value)
    return value


def job_like_97zcl3wt() -> dict[str, Any]:
    """The doc's diamond job A -> B, C -> D, rebuilt from its DescribeJobSubmitInfo example."""
    info = doc_response("DescribeJobSubmitInfo")
    return {
        k: info[k]
        for k in ("JobName", "JobDescription", "Priority", "Tasks", "Dependences", "Tags")
    }


def env_from_create_info(world: World, info: dict[str, Any]) -> str:
    """An environment created with the doc's creation info, so it is described the same way."""
    spec = {k: v for k, v in documented(info).items() if k not in ("EnvId", "RequestId")}
    params = {"ComputeEnv": spec, "Placement": {"Zone": "ap-guangzhou-2"}}
    return str(call(world.client, "CreateComputeEnv", params).EnvId)


def template_from(world: World, view: dict[str, Any]) -> str:
    fields = ("TaskTemplateName", "TaskTemplateDescription", "TaskTemplateInfo", "Tags")
    return str(
        call(
            world.client,
            "CreateTaskTemplate",
            documented({k: view[k] for k in fields if k in view}),
        ).TaskTemplateId
    )


def a_template(world: World) -> str:
    """The template of the doc's CreateTaskTemplate example."""
    params = documented(doc_example("CreateTaskTemplate")["request"])
    return str(call(world.client, "CreateTaskTemplate", params).TaskTemplateId)


def with_env(request: dict[str, Any], env_id: str) -> dict[str, Any]:
    return {**request, "EnvId": env_id}


def delete_env(world: World, request: dict[str, Any]) -> dict[str, Any]:
    return with_env(request, world.demo_env())


def describe_activities(world: World, request: dict[str, Any]) -> dict[str, Any]:
    # like the doc's: one node from CreateComputeEnv, one more from "increase ... from 1 to 2",
    # both activities ended
    env_id, _ = ready_env(world.client, world.clock, desired=1)
    call(world.client, "ModifyComputeEnv", {"EnvId": env_id, "DesiredComputeNodeCount": 2})
    wait_for_running_nodes(world.client, world.clock, env_id, 2)
    return with_env(request, env_id)


def create_info(world: World, request: dict[str, Any]) -> dict[str, Any]:
    return with_env(
        request, env_from_create_info(world, doc_response("DescribeComputeEnvCreateInfo"))
    )


def create_infos(world: World, request: dict[str, Any]) -> dict[str, Any]:
    (info,) = doc_response("DescribeComputeEnvCreateInfos")["ComputeEnvCreateInfoSet"]
    return {**request, "EnvIds": [env_from_create_info(world, info)]}


def terminate_node(world: World, request: dict[str, Any]) -> dict[str, Any]:
    env_id, nodes = ready_env(world.client, world.clock, desired=2)
    return {**with_env(request, env_id), "ComputeNodeId": nodes[0]}


def terminate_nodes(world: World, request: dict[str, Any]) -> dict[str, Any]:
    env_id, nodes = ready_env(world.client, world.clock, desired=2)
    return {**with_env(request, env_id), "ComputeNodeIds": nodes}


def detach(world: World, request: dict[str, Any]) -> dict[str, Any]:
    env_id = world.demo_env()
    call(
        world.client,
        "AttachInstances",
        {"EnvId": env_id, "Instances": [{"InstanceId": request["InstanceIds"][0]}]},
    )
    return with_env(request, env_id)


def describe_templates(world: World, request: dict[str, Any]) -> dict[str, Any]:
    views = doc_response("DescribeTaskTemplates")["TaskTemplateSet"]
    made = [template_from(world, view) for view in reversed(views)]  # oldest first, as in the doc
    return {**request, "TaskTemplateIds": made[::-1]}


def succeeded_like_97zcl3wt(world: World, request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "JobId": succeeded_job(world.client, world.clock, job_like_97zcl3wt())}


def describe_jobs(world: World, request: dict[str, Any]) -> dict[str, Any]:
    # the doc's pair: an older FAILED job and a newer one still under way, asked oldest first
    older = failed_job(world.client, world.clock)
    world.clock.advance(5)
    return {**request, "JobIds": [older, submit(world.client)]}


def task_logs(world: World, request: dict[str, Any]) -> dict[str, Any]:
    job_id = submit(world.client, job(task(request["TaskName"], instances=2)))
    wait_for_job(world.client, world.clock, job_id, ENDED)
    return {**request, "JobId": job_id}


def running_job_with_task_a(world: World, request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "JobId": running_job(world.client, world.clock, job(task("A")))}


def retry(world: World, request: dict[str, Any]) -> dict[str, Any]:
    return {**request, "JobIds": [failed_job(world.client, world.clock) for _ in request["JobIds"]]}


Prepare = Callable[[World, dict[str, Any]], dict[str, Any]]
PREPARE: dict[str, Prepare] = {
    # The emulator's world is Guangzhou; Chongqing's zone would be refused as another region's.
    "DescribeCvmZoneInstanceConfigInfos": lambda w, r: {
        "Filters": [
            {**f, "Values": ["ap-guangzhou-3"]} if f["Name"] == "zone" else f for f in r["Filters"]
        ]
    },
    "DeleteComputeEnv": delete_env,
    "DescribeComputeEnv": lambda w, r: with_env(r, w.demo_env()),
    "DescribeComputeEnvs": lambda w, r: {**r, "EnvIds": [w.demo_env()]},
    "DescribeComputeEnvActivities": describe_activities,
    "DescribeComputeEnvCreateInfo": create_info,
    "DescribeComputeEnvCreateInfos": create_infos,
    "ModifyComputeEnv": lambda w, r: with_env(r, w.demo_env()),
    "TerminateComputeNode": terminate_node,
    "TerminateComputeNodes": terminate_nodes,
    "AttachInstances": lambda w, r: with_env(r, w.demo_env()),  # the doc's instance is new to Batch
    "DetachInstances": detach,
    "DeleteTaskTemplates": lambda w, r: {**r, "TaskTemplateIds": [a_template(w)]},
    "DescribeTaskTemplates": describe_templates,
    "ModifyTaskTemplate": lambda w, r: {**r, "TaskTemplateId": a_template(w)},
    "DescribeJobs": describe_jobs,
    "DescribeJob": succeeded_like_97zcl3wt,
    "DescribeJobSubmitInfo": succeeded_like_97zcl3wt,
    "DescribeTask": succeeded_like_97zcl3wt,
    "DescribeTaskLogs": task_logs,
    "TerminateJob": running_job_with_task_a,
    "TerminateTaskInstance": running_job_with_task_a,
    "RetryJobs": retry,
    "DeleteJob": lambda w, r: {**r, "JobId": failed_job(w.client, w.clock)},
}
# The DAG example submits in Beijing (its zone is ap-beijing-2): send it to that region.
REGIONS = {("SubmitJob", "Submitting a DAG-type job containing dependencies"): "ap-beijing"}


def slug(example: dict[str, Any]) -> str:
    return f"{example['action']}:{re.sub(r'[^a-z0-9]+', '-', example['title'].lower()).strip('-')}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[slug(e) for e in EXAMPLES])
def test_the_doc_example_gets_a_response_of_the_same_shape(
    emulator: Emulator, clock: ManualClock, example: dict[str, Any]
) -> None:
    action = example["action"]
    world = World(emulator, clock, batch_sdk(emulator))
    prepare = PREPARE.get(action, lambda w, r: r)
    request = prepare(world, deepcopy(example["request"]))
    region = REGIONS.get((action, example["title"]), "ap-guangzhou")

    response = batch_sdk(emulator, region=region).call_json(action, request)["Response"]
    assert shape_problems(response, example["response"]) == []
