"""The placeholder home page shows what the worker's probe found, from the cache only."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.cloud.probe import PROBE_CACHE_KEY, probe_cloud
from apps.cloud.services import account_create
from apps.emulator.faults import Fault
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.delete(PROBE_CACHE_KEY)


@pytest.fixture
def cloud(emulator):
    account_create(name="demo", secret_id=DEMO_SECRET_ID, secret_key=DEMO_SECRET_KEY,
                   regions=["ap-guangzhou"], endpoint=f"http://127.0.0.1:{emulator.port}")  # fmt: skip
    return emulator


def test_before_the_worker_ran(client):
    page = client.get("/")
    assert page.status_code == 200
    assert b"No answer from the worker yet" in page.content


def test_after_a_probe_the_page_shows_the_jobs_by_state(client, cloud):
    result = probe_cloud()
    assert result["ok"]
    page = client.get("/").content.decode()
    assert f"{result['total']} jobs" in page
    assert "<td>SUCCEED</td>" in page


def test_a_page_view_never_calls_the_cloud(client, cloud):
    probe_cloud()
    before = cloud.stats.snapshot()["totals"]["answered"]
    client.get("/")
    assert cloud.stats.snapshot()["totals"]["answered"] == before


def test_a_failing_cloud_shows_its_error_code(client, cloud):
    cloud.faults.set("DescribeJobs", Fault(internal_error=1.0))
    probe_cloud()
    page = client.get("/").content.decode()
    assert "DescribeJobs failed" in page
    assert "InternalError" in page


def test_no_account_is_said_plainly(client):
    probe_cloud()
    assert "No enabled cloud account" in client.get("/").content.decode()
