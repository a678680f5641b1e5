"""docs/architecture.md stays true: the files and names it points at exist, and the stream of
its "Add a stream" recipe, written as the recipe says (its rows kept in memory instead of a
model), pages every task template of the emulator through the real limiter and sync engine."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from apps.batch.api import Page
from apps.cloud.gateway import cloud_call
from apps.cloud.records import Record, dicts, wire
from apps.cloud.records import integer as _int
from apps.cloud.scope import Scope
from apps.cloud.services import account_create
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from apps.sync.streams import REGISTRY, Step, stream
from tests.sync.drive import drive

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
PAGE = 100


def test_every_file_the_page_names_exists():
    paths = set(
        re.findall(r"`((?:apps|dashboard|tests|templates|bench)/[\w./]+\.(?:py|md|html))`", DOC)
    )
    assert paths, "the page names no files"
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


@pytest.mark.parametrize(
    "module, names",
    [
        ("apps.cloud.scope", ["Scope"]),
        ("apps.cloud.gateway", ["cloud_call"]),
        ("apps.sync.streams", ["stream", "Step", "QueueCursor", "serve_queue", "cursor_dump"]),
        ("apps.sync.streams", ["cursor_load"]),
        ("apps.sync.coordination", ["Priority", "record_interest"]),
        ("apps.sync.upsert", ["row_of", "fields_of", "upsert", "upsert_with_history"]),
        ("apps.cloud.records", ["Record", "wire", "dicts"]),
        ("apps.sync.selectors", ["freshness"]),
        (
            "apps.accounts.access",
            ["visible_accounts", "can_act", "acts_anywhere", "team_to_manage"],
        ),
        ("apps.actions.catalog", ["ActionSpec", "SPECS", "available"]),
        ("apps.actions.services", ["NotPermitted", "NothingToDo", "MixedScopes", "NoSuchAction"]),
        ("apps.batch.sync", ["refresh_job", "JobsPhase"]),
        ("apps.ui.htmx", ["page_or_fragment", "HtmxHttpRequest"]),
        ("apps.emulator.batch.product", ["PRODUCT"]),
        ("apps.emulator.errors", ["ApiError"]),
    ],
)
def test_the_names_the_page_uses_exist(module: str, names: list[str]):
    found = importlib.import_module(module)
    assert [n for n in names if not hasattr(found, n)] == []


# --- the recipe's stream, as docs/architecture.md writes it ----------------------------------
@dataclass(frozen=True)
class TemplateRecord(Record):
    template_id: str = wire("TaskTemplateId")
    name: str = wire("TaskTemplateName")
    raw: dict[str, Any] = wire()


def describe_task_templates(scope: Scope, *, offset: int = 0, limit: int = 100) -> Page:
    r = cloud_call(
        scope, "batch", "DescribeTaskTemplates", {"Offset": offset, "Limit": limit}, block=False
    )
    records = [TemplateRecord.from_api(t) for t in dicts(r.get("TaskTemplateSet"))]
    return Page(records, _int(r, "TotalCount") or 0)


CACHE: dict[str, str] = {}  # stands in for the model and templates_upsert


@dataclass(frozen=True)
class TemplatesCursor:
    offset: int = 0


@pytest.fixture
def templates_stream() -> Iterator[str]:
    @stream(
        "batch.templates",
        service="batch",
        cursor=TemplatesCursor,
        actions=("DescribeTaskTemplates",),
    )
    def templates_step(scope: Scope, cursor: TemplatesCursor) -> Step[TemplatesCursor]:
        page = describe_task_templates(scope, offset=cursor.offset, limit=PAGE)
        CACHE.update({r.template_id: r.name for r in page.items})
        if cursor.offset + PAGE < page.total:
            return Step(TemplatesCursor(cursor.offset + PAGE))
        return Step(TemplatesCursor(), 60.0)

    CACHE.clear()
    yield "batch.templates"
    del REGISTRY["batch.templates"]


@pytest.mark.django_db
def test_the_recipes_stream_pages_every_template(emulator: Emulator, templates_stream: str):
    account = account_create(
        name="recipe",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=["ap-guangzhou"],
        budget_share=1.0,
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    scope = Scope(account, "ap-guangzhou")
    info = {"Application": {"DeliveryForm": "LOCAL", "Command": "echo"}}
    with override_settings(CLOUD_RATE_SCALE=100):
        made = {
            cloud_call(
                scope,
                "batch",
                "CreateTaskTemplate",
                {"TaskTemplateName": f"tmpl-{n:03d}", "TaskTemplateInfo": info},
            )["TaskTemplateId"]: f"tmpl-{n:03d}"
            for n in range(130)  # two pages
        }
        drive(account, streams=[templates_stream], until=lambda: made.items() <= CACHE.items())
    assert made.items() <= CACHE.items()
