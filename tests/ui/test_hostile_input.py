"""Query parameters nobody would type: a page says plainly what it could not use and still
answers, never a 500 (an OverflowError from a time before year 1 in UTC, SQLite's "LIKE or
GLOB pattern too complex" from a 60,000-character search)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.batch.models import Job
from tests import factories

pytestmark = pytest.mark.django_db
HUGE = "x" * 60_000


@pytest.fixture
def job() -> Job:
    factories.jobs(factories.account(), 1, tasks=1, instances=1)
    return Job.objects.get()


@pytest.mark.parametrize(
    "params",
    [
        {"since": "0001-01-01T00:00+14:00"},
        {"until": "9999-12-31T23:59-14:00"},
        {"ended_since": "0001-01-01T00:00"},  # naive: the site's zone, east of UTC
        {"since": "yesterday"},
    ],
)
def test_a_time_the_database_cannot_hold_is_named_and_ignored(admin_client, job, params, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    page = admin_client.get(reverse("batch:job-list"), params)
    assert page.status_code == 200
    body = page.content.decode()
    assert "is not a time this page can use" in body and 'role="alert"' in body
    assert job.job_id in body  # the rest of the list still answers


@pytest.mark.parametrize("name", ["q", "env", "zone", "tag", "state"])
def test_a_huge_job_list_filter_is_named_and_ignored(admin_client, job, name):
    page = admin_client.get(reverse("batch:job-list"), {name: HUGE})
    assert page.status_code == 200
    assert "is limited to 200 characters (this one has 60000)" in page.content.decode()
    assert job.job_id in page.content.decode()


def test_a_huge_run_group_search_is_named_and_ignored(admin_client, job):
    page = admin_client.get(reverse("omics:run-group-list"), {"q": HUGE})
    assert page.status_code == 200
    assert "Search is limited to 200 characters" in page.content.decode()


def test_a_huge_instance_filter_is_named_and_ignored(admin_client, job):
    page = admin_client.get(reverse("batch:job-detail", args=[job.job_id]), {"task": HUGE})
    assert page.status_code == 200
    assert "Task is limited to 200 characters" in page.content.decode()


def test_a_huge_global_search_says_why_on_the_job_list(admin_client, job):
    page = admin_client.get(reverse("ui:search"), {"q": HUGE}, follow=True)
    assert page.redirect_chain[-1][0] == reverse("batch:job-list")
    assert "Search is limited to 200 characters" in page.content.decode()
    assert job.job_id in page.content.decode()
