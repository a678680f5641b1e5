"""Input nobody would type. Query parameters: a page says plainly what it could not use and
still answers, never a 500 (an OverflowError from a time before year 1 in UTC, SQLite's "LIKE
or GLOB pattern too complex" from a 60,000-character search). The cloud's texts: controls and
bidi overrides are shown as visible stand-ins, never passed to the browser."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.batch.models import Job, Task, TaskInstance
from apps.omics.models import RunGroup
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


@pytest.mark.parametrize("name", ["user", "action", "status", "target"])
def test_a_huge_audit_filter_is_named_and_ignored(admin_client, name):
    from apps.audit.services import audit_record

    audit_record(user=None, action="batch.RetryJobs", targets=["job-kept"], status="succeeded")
    page = admin_client.get(reverse("audit:audit-list"), {name: HUGE})
    assert page.status_code == 200
    assert "is limited to 200 characters (this one has 60000)" in page.content.decode()
    assert "job-kept" in page.content.decode()


def test_a_huge_global_search_says_why_on_the_job_list(admin_client, job):
    page = admin_client.get(reverse("ui:search"), {"q": HUGE}, follow=True)
    assert page.redirect_chain[-1][0] == reverse("batch:job-list")
    assert "Search is limited to 200 characters" in page.content.decode()
    assert job.job_id in page.content.decode()


CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def invisible_job(job: Job) -> Job:
    """A job, its task, instance and a run group whose texts hide controls and bidi overrides."""
    job.name = "invoice\u202egpj.exe"
    job.state_reason = "quota\x1b[2J\x1b]0;owned\x07 exceeded\x9b"
    job.save()
    Task.objects.update(name="stage\u2066x\u2069")
    TaskInstance.objects.update(reason="oom\x01\x7f killed")  # no NUL: PostgreSQL refuses it
    RunGroup.objects.create(
        account=job.account,
        region=job.region,
        run_group_id="run-\u202eabc",
        name="rg\x1b[31m",
        status="RUNNING",
    )
    return job


def test_controls_and_bidi_overrides_from_the_cloud_are_shown_visibly(admin_client, invisible_job):
    job = invisible_job
    pages = {
        reverse("batch:job-list"): ["invoice\\u202egpj.exe"],
        reverse("batch:job-detail", args=[job.job_id]): [
            "quota\u241b[2J\u241b]0;owned\u2407 exceeded\\u009b",
            "stage\\u2066x\\u2069",
        ],
        reverse("batch:instance-detail", args=[job.job_id, "stage\u2066x\u2069", 0]): [
            "oom\u2401\u2421 killed"
        ],
        reverse("omics:run-group-list"): ["run-\\u202eabc", "rg\u241b[31m"],
    }
    for url, shown in pages.items():
        for headers in ({}, {"HX-Request": "true"}):
            page = admin_client.get(url, headers=headers)
            assert page.status_code in (200, 286), url
            body = page.content.decode()
            assert not CONTROLS.search(body), url
            for text in shown:
                assert text in body, (url, text)
