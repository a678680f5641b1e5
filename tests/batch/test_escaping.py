"""Hostile strings from the cloud render as text on every page that shows them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.batch.models import Job, TaskInstance, TaskLog
from tests import factories

pytestmark = pytest.mark.django_db
HOSTILE = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


@pytest.fixture
def hostile_job():
    acct = factories.account()
    factories.jobs(acct, 1, tasks=1, instances=1)
    job = Job.objects.get()
    job.name = HOSTILE[1]
    job.state_reason = HOSTILE[0]
    job.tags = [{"Key": HOSTILE[0], "Value": HOSTILE[1]}]
    job.save()
    instance = TaskInstance.objects.get()
    instance.reason = HOSTILE[1]
    instance.save()
    TaskLog.objects.create(
        instance=instance,
        stdout="ok\n" + HOSTILE[0] + "\n\x1b[31m" + HOSTILE[1] + "\x1b[0m\n",
        stderr=HOSTILE[1],
        fetched_at=timezone.now(),
    )
    return job


@pytest.mark.parametrize("path", ["/jobs/", "/jobs/job-00000000/", "/jobs/job-00000000/t0/0/", "/"])
def test_hostile_strings_are_text(admin_client, hostile_job, path):
    body = admin_client.get(path).content.decode()
    for text in HOSTILE:
        assert text not in body
    assert "<script>alert" not in body and "<img src=x" not in body
    if path != "/":
        assert "&lt;script&gt;" in body or "&quot;&gt;&lt;img" in body
