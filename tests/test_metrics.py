"""/metrics: the sync's and the limiter's numbers, for allowed scrapers only, never a secret."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.emulator.server import DEMO_SECRET_KEY

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-token"


@pytest.fixture
def scraper(settings) -> Client:
    """A scraper as deployed: on an allowed address, with the bearer token."""
    settings.METRICS_TOKEN = TOKEN
    return Client(headers={"Authorization": f"Bearer {TOKEN}"})


def test_metrics_show_calls_rates_streams_and_queues(synced, scraper):
    from apps.cloud.gateway import cloud_call
    from apps.cloud.models import CloudAccount
    from apps.cloud.scope import Scope

    demo = Scope(CloudAccount.objects.get(name="demo"), "ap-guangzhou")
    cloud_call(demo, "batch", "DescribeJobs", {"Limit": 1})
    body = scraper.get("/metrics").content.decode()
    assert (
        'jobdeck_cloud_calls_total{account="demo",region="ap-guangzhou",service="batch",action="DescribeJobs"}'
        in body
    )
    assert "jobdeck_limiter_rate{" in body and "jobdeck_rate_limit_errors_total{" in body
    assert (
        'jobdeck_sync_age_seconds{account="demo",region="ap-guangzhou",stream="batch.jobs"}' in body
    )
    assert "# TYPE jobdeck_sync_queue_length gauge" in body
    assert DEMO_SECRET_KEY not in body


def test_metrics_count_action_calls_by_outcome_including_unknown(scraper):
    from apps.audit.services import audit_finish, audit_record

    for ok in (True, None, None):
        event = audit_record(user=None, action="batch.RetryJobs", targets=["job-1"])
        audit_finish(event.pk, ok=ok)
    audit_record(user=None, action="account.create", targets=["x"], status="succeeded")
    body = scraper.get("/metrics").content.decode()
    assert 'jobdeck_action_calls_total{action="batch.RetryJobs",status="unknown"} 2' in body
    assert 'jobdeck_action_calls_total{action="batch.RetryJobs",status="succeeded"} 1' in body
    assert 'action="account.create"' not in body  # not a cloud call


def test_metrics_are_restricted(settings):
    settings.METRICS_ALLOWED_IPS = ["10.9.9.9"]
    assert Client().get("/metrics").status_code == 403
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 403
    assert Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_without_a_token_metrics_answer_nobody_outside_debug(settings):
    """Behind a proxy on the same host every visitor comes from 127.0.0.1: the address alone
    must not open the list of every team's accounts."""
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403
    settings.DEBUG = True  # a developer's own machine
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
