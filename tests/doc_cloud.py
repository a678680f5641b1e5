"""The API docs' example answers as a cloud (tests/fixtures/doc_examples): the service tests
read them through the real api modules, with no emulator and no network. A test edits an
answer to move the world, as the cloud would."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apps.cloud.scope import Scope
from apps.sync.models import StateTransition

FIXTURES = Path(__file__).parent / "fixtures" / "doc_examples"
Key = Callable[[str, dict[str, Any]], str]  # (action, request parameters) -> answer key


def examples(product: str) -> list[dict[str, Any]]:
    """Every example of `product`'s action pages: action, title, request, response."""
    found: list[dict[str, Any]] = json.loads((FIXTURES / f"{product}.json").read_text())
    return found


def by_action(action: str, params: dict[str, Any]) -> str:
    return action


class DocCloud:
    """Answers each action with its first doc example (`key` tells apart answers of one
    action, e.g. GetRunCalls by Path); `answers` is the test's to edit. Stands in for
    `cloud_call` in an api module."""

    def __init__(self, product: str, key: Key = by_action) -> None:
        self.product, self.key = product, key
        self.answers: dict[str, dict[str, Any]] = {}
        for example in examples(product):
            answer_key = key(example["action"], example["request"])
            self.answers.setdefault(answer_key, copy.deepcopy(example["response"]))

    def __call__(
        self, scope: Scope, service: str, action: str, params: dict[str, Any], *, block: bool
    ) -> dict[str, Any]:
        assert service == self.product
        return copy.deepcopy(self.answers[self.key(action, params)])


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def transitions(kind: str) -> list[tuple[str, str, str, datetime]]:
    """The recorded state changes of `kind`, oldest first: (cloud id, from, to, when)."""
    recorded = StateTransition.objects.filter(kind=kind).order_by("pk")
    return list(recorded.values_list("cloud_id", "from_state", "to_state", "observed_at"))


def columns(
    row: Any, record: Any, held: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The row's value of every record field, and the record's (less `held`)."""
    names = [f.name for f in fields(record) if f.name not in held]
    return {n: getattr(row, n) for n in names}, {n: getattr(record, n) for n in names}
