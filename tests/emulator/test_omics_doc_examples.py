"""Every Omics doc example (tests/fixtures/doc_examples/omics.json, from the action pages) sent to
the emulator: its answer must have the doc example response's field names and JSON types.

The doc's ids do not exist in the emulator's world, so each request is sent with the world's
ids in their place. Actions the emulator does not implement must answer `InvalidAction`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apps.emulator.clock import ManualClock
from apps.emulator.omics import PRODUCT
from apps.emulator.server import Emulator
from tests.conftest import omics_sdk
from tests.emulator.omics_support import (
    Demo,
    demo_ids,
    refusal,
    run_application,
    runs_of,
    sdk,
    send_raw,
    terminated_batch,
)

EXAMPLES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "doc_examples" / "omics.json").read_text(
        encoding="utf-8"
    )
)
# Documented actions the emulator does not implement (yet): their examples are not compared,
# and the emulator must say `InvalidAction` rather than pretend.
NOT_IMPLEMENTED = {
    "CreateEnvironment",
    "DeleteEnvironment",
    "CreateVolume",
    "DeleteVolume",
    "DeleteVolumeData",
    "ModifyVolume",
    "ImportTableFile",
}
# Doc oddities, as (action, path in the response): a doc member the emulator rightly leaves out.
TOLERATED_MISSING = {
    # `Run.Option` was deprecated in release 7, yet the DescribeRuns example still prints it
    # (https://cloud.tencent.com/document/api/1643/89098); the emulator omits it, the SDK model
    # keeps it only for old answers.
    ("DescribeRuns", "Runs[].Option"),
}


def example_id(example: dict[str, Any]) -> str:
    return f"{example['action']}-{example['title'].replace(' ', '_')}"


def examples(implemented: bool) -> list[Any]:
    return [
        pytest.param(e, id=example_id(e))
        for e in EXAMPLES
        if (e["action"] not in NOT_IMPLEMENTED) == implemented
    ]


# --- comparing shapes -------------------------------------------------------------------------
def json_type(value: Any) -> str:
    """JSON Schema's type names; a whole number is an integer whether written 380 or 380.0."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return {float: "number", str: "string", list: "array", dict: "object"}[type(value)]


def shape_differences(doc: Any, got: Any, path: str, tolerated: set[str]) -> list[str]:
    """Where `got` lacks a member of `doc`, or has another JSON type, recursively.

    Members `got` has and `doc` lacks are not differences here: the strict SDK parse (see
    `send_raw`) has already checked that each of them is a member of the SDK's model, i.e. a field
    added to the API after the doc's example was written (e.g. RunGroup.Type, Run.Cache)."""
    if json_type(doc) != json_type(got):
        return [f"{path or '.'}: the doc has {json_type(doc)}, the emulator {json_type(got)}"]
    found: list[str] = []
    if isinstance(doc, dict):
        for key, doc_value in doc.items():
            where = f"{path}.{key}" if path else key
            if key in got:
                found += shape_differences(doc_value, got[key], where, tolerated)
            elif where not in tolerated:
                found.append(f"{where}: in the doc, missing from the emulator's answer")
    elif isinstance(doc, list):
        if doc and not got:
            found.append(f"{path}: the doc shows items, the emulator none (nothing to compare)")
        for item in got:  # every item the emulator sent has the shape of every item the doc shows
            for doc_item in doc:
                found += shape_differences(doc_item, item, f"{path}[]", tolerated)
    return sorted(set(found))


def test_shape_differences_sees_what_it_must() -> None:
    # the comparison itself: a missing member, a changed type, an empty list, a nested member
    doc = {"A": 1, "B": [{"C": "x", "D": True}], "E": {"F": 1.5}}
    assert shape_differences(doc, doc, "", set()) == []
    assert shape_differences(doc, {**doc, "Extra": 1, "A": 1.0}, "", set()) == []
    assert shape_differences(doc, {**doc, "A": "1"}, "", set()) == [
        "A: the doc has integer, the emulator string"
    ]
    assert shape_differences(doc, {**doc, "B": [{"C": "x"}]}, "", set()) == [
        "B[].D: in the doc, missing from the emulator's answer"
    ]
    assert shape_differences(doc, {**doc, "B": []}, "", set()) == [
        "B: the doc shows items, the emulator none (nothing to compare)"
    ]
    assert shape_differences(doc, {**doc, "E": {"F": 2}}, "", set()) == [
        "E.F: the doc has number, the emulator integer"
    ]
    assert shape_differences(doc, {**doc, "B": [{"C": "x"}]}, "", {"B[].D"}) == []


# --- the doc's ids replaced by the world's -------------------------------------------------
@dataclass
class World:
    emulator: Emulator
    clock: ManualClock
    client: Any
    demo: Demo

    def first(self, action: str, *filters: tuple[str, str]) -> dict[str, Any]:
        """The first item of a Describe* list filtered by (Name, Value) pairs."""
        params = {"Filters": [{"Name": name, "Values": [value]} for name, value in filters]}
        answer = sdk(self.client, action, params)
        member = {"DescribeRuns": "Runs", "DescribeRunGroups": "RunGroups"}[action]
        assert answer[member], f"the demo has {filters}"
        return answer[member][0]


def _same_prefix_ids(world: World) -> dict[str, str]:
    """Project, environment, application and table ids: one of each in the demo."""
    demo = world.demo
    return {
        "prj-": demo.project_id,
        "env-": demo.env_id,
        "menv-": demo.env_id,
        "app-": demo.wdl_app,
        "tab-": demo.table_id,
    }


def _a_finished_run(world: World) -> dict[str, str]:
    done = world.first("DescribeRuns", ("Status", "SUCCESS"))["RunUuid"]
    calls = sdk(world.client, "GetRunCalls", {"RunUuid": done, "Path": "/"})["Calls"]
    workflow = next(c["RunId"] for c in calls if c["RunType"] == "Workflow")
    return {
        "84232c68-a016-4668-b2e3-168a175d6f29": done,
        "/ed4199e3-3513-444e-9090-3413fd6d3e44": f"/{workflow}",
    }


def _a_nextflow_run(world: World) -> dict[str, str]:
    group_id = world.first("DescribeRunGroups", ("Type", "NEXTFLOW"), ("Status", "COMPLETE"))[
        "RunGroupId"
    ]
    return {"fe92382a-9028-4e0f-8d12-fb11d9ad058c": runs_of(world.client, group_id)[0]["RunUuid"]}


def _an_unfinished_group(world: World) -> dict[str, str]:
    return {"run-greedy-cerise-swan-618086": run_application(world.client, world.demo)}


def _two_rows(world: World) -> dict[str, str]:
    rows = [uuid for uuid, _ in world.demo.rows]
    return {
        # RunApplication's batch example
        "df909e9b-1edf-4369-a9d4-71a733770034": rows[0],
        "3c5f7840-3689-44f2-b6ae-9e223b996f83": rows[1],
        # DescribeTablesRows' example, whose fuzzy `Tr` value is the extension of its files
        "d3154292-9305-42cb-99ab-a0fc1f5112ac": rows[2],
        "41363765-71e4-42ad-bbf8-bed9e70cd85e": rows[3],
        ".txt": ".fastq.gz",
    }


def _a_retryable_group(world: World) -> dict[str, str]:
    group_id, runs = terminated_batch(world.client, world.demo, rows=2)
    return {
        "run-ashamed-bleak-doggy-247963": group_id,
        "7b501b32-4e42-456a-9d54-aa3c9791beb0": runs[0]["RunUuid"],
        "38b860fa-65d3-4adc-8000-4c0c31d2ff51": runs[1]["RunUuid"],
    }


EXACT_IDS: dict[str, Callable[[World], dict[str, str]]] = {
    "GetRunCalls": _a_finished_run,
    "GetRunStatus": _a_finished_run,
    "GetRunMetadataFile": _a_nextflow_run,
    "TerminateRunGroup": _an_unfinished_group,
    "RunApplication": _two_rows,
    "DescribeTablesRows": _two_rows,
    "RetryRuns": _a_retryable_group,
}


def substituted(value: Any, exact: dict[str, str], prefixes: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: substituted(v, exact, prefixes) for k, v in value.items()}
    if isinstance(value, list):
        return [substituted(v, exact, prefixes) for v in value]
    if isinstance(value, str):
        if value in exact:
            return exact[value]
        return next(
            (world_id for prefix, world_id in prefixes.items() if value.startswith(prefix)), value
        )
    return value


@pytest.fixture
def world(emulator: Emulator, clock: ManualClock) -> World:
    return World(emulator, clock, omics_sdk(emulator), demo_ids(emulator))


# --- the tests ------------------------------------------------------------------------------
@pytest.mark.parametrize("example", examples(implemented=True))
def test_answer_has_the_doc_examples_shape(world: World, example: dict[str, Any]) -> None:
    action = example["action"]
    exact = EXACT_IDS[action](world) if action in EXACT_IDS else {}
    request = substituted(example["request"], exact, _same_prefix_ids(world))

    answer = send_raw(world.client, action, request)

    tolerated = {path for tolerated_action, path in TOLERATED_MISSING if tolerated_action == action}
    assert shape_differences(example["response"], answer, "", tolerated) == []


@pytest.mark.parametrize("example", examples(implemented=False))
def test_not_implemented_action_answers_invalid_action(
    world: World, example: dict[str, Any]
) -> None:
    assert refusal(world.client, example["action"], example["request"]) == "InvalidAction"


def test_not_implemented_list_is_exact() -> None:
    documented = {e["action"] for e in EXAMPLES}
    assert NOT_IMPLEMENTED <= documented
    assert not NOT_IMPLEMENTED & set(PRODUCT.actions), (
        "implemented now: take it off NOT_IMPLEMENTED"
    )
    assert documented - NOT_IMPLEMENTED <= set(PRODUCT.actions)


def test_every_tolerated_oddity_is_still_in_the_doc() -> None:
    # an allow-list entry that no longer matches a doc member would silently tolerate nothing
    for action, path in TOLERATED_MISSING:
        responses = [e["response"] for e in EXAMPLES if e["action"] == action]
        member, _, leaf = path.rpartition(".")
        assert any(leaf in item for r in responses for item in r[member.removesuffix("[]")]), (
            action,
            path,
        )
