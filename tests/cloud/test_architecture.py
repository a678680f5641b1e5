"""There is no way around the limiter: only the gateway sends requests to the cloud, and the
official SDK is never imported by runtime code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apps.cloud import gateway
from apps.cloud.scope import Scope
from apps.cloud.services import account_create
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

APPS = Path(__file__).resolve().parents[2] / "apps"
RUNTIME = [p for p in APPS.rglob("*.py") if "emulator" not in p.parts]


def test_only_the_gateway_calls_the_client():
    offenders = [
        str(path.relative_to(APPS))
        for path in RUNTIME
        if path.name != "gateway.py"
        and re.search(r"\bclient\.call\(|from apps\.cloud\.client import call", path.read_text())
    ]
    assert offenders == []


def test_runtime_code_never_imports_the_official_sdk():
    offenders = [
        str(p.relative_to(APPS))
        for p in APPS.rglob("*.py")
        if "tencentcloud" in p.read_text()
        and re.search(r"^\s*(from|import) tencentcloud", p.read_text(), re.M)
    ]
    assert offenders == []


@pytest.mark.django_db
def test_budget_snapshot_shows_each_bucket_with_its_rate(emulator):
    account = account_create(
        name="snap",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=["ap-guangzhou"],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    gateway.cloud_call(Scope(account, "ap-guangzhou"), "batch", "DescribeJobs", {"Limit": 1})
    [row] = gateway.budget_snapshot()
    assert (row["account"], row["action"], row["calls"], row["limit_errors"]) == (
        "snap",
        "DescribeJobs",
        1,
        0,
    )
    assert row["configured_rate"] == pytest.approx(1.0)  # 2/s x the default share 0.5
