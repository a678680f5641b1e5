"""Hostile strings from the cloud render as text on every page that shows them."""

from __future__ import annotations

from email.message import Message

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.batch.models import Job, Task, TaskInstance, TaskLog
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


def test_a_hostile_task_name_cannot_choose_the_download_name(admin_client, hostile_job):
    Task.objects.update(name="\"; filename*=UTF-8''evil.html;")
    instance = TaskInstance.objects.select_related("task__job").get()
    url = reverse("batch:instance-detail", args=[hostile_job.job_id, instance.task.name, 0])
    download = admin_client.get(url, {"download": "stdout"})
    header = Message()
    header["Content-Disposition"] = download["Content-Disposition"]
    params = header.get_params(header="content-disposition") or []
    assert [key for key, _ in params] == ["attachment", "filename"]  # one name, no filename*
    name = header.get_filename()
    assert name == "stdout.job-00000000.filename_UTF-8_evil_html.0.log"
    assert download.content.decode() == instance.log.stdout
