"""Every Batch page and fragment, on a cache the real sync filled from the demo emulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.batch.models import Job, TaskInstance
from tests.pages import PAGE_CHROME

pytestmark = pytest.mark.django_db


def test_overview_shows_numbers_that_link_to_their_lists(admin_client, synced):
    page = admin_client.get(reverse("ui:overview"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "active jobs" in body and "failed in 24 h" in body
    failed = Job.objects.filter(state="FAILED").count()
    assert f'href="/jobs/?state=FAILED"><span class="value">{failed}</span>' in body
    assert "Sync health" in body and "batch.jobs" in body


def test_job_list_filters_sorts_and_pages_with_the_url(admin_client, synced):
    page = admin_client.get(reverse("batch:job-list"), {"state": "SUCCEED", "sort": "oldest"})
    assert page.status_code == 200
    body = page.content.decode()
    ids = [j.job_id for j in Job.objects.filter(state="SUCCEED").order_by("created_at")]
    assert body.index(ids[0]) < body.index(ids[1])
    assert Job.objects.exclude(state="SUCCEED").earliest("pk").job_id not in body
    assert f"{len(ids)} jobs" in body


def test_job_list_fragment_has_no_page_chrome_and_stops_polling_when_settled(admin_client, synced):
    fragment = admin_client.get(
        reverse("batch:job-list"), {"state": "SUCCEED"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 286  # nothing on it can change: the poll stops
    assert PAGE_CHROME not in fragment.content.decode()
    assert 'id="job-rows"' in fragment.content.decode()
    moving = admin_client.get(reverse("batch:job-list"), headers={"HX-Request": "true"})
    assert moving.status_code == 200 and 'hx-trigger="every 5s"' in moving.content.decode()
    assert moving["Vary"] and "HX-Request" in moving["Vary"]


def test_job_detail_shows_tasks_dag_instances_and_records_interest(admin_client, synced):
    job = Job.objects.filter(tasks__name="D").earliest("pk")  # the diamond A -> B, C -> D
    page = admin_client.get(reverse("batch:job-detail", args=[job.job_id]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and ">D<" in body
    instance = TaskInstance.objects.filter(task__job=job).earliest("pk")
    assert (
        reverse("batch:instance-detail", args=[job.job_id, instance.task.name, instance.index])
        in body
    )
    from apps.cloud.scope import Scope
    from apps.sync.coordination import is_watched
    from apps.sync.models import Kind

    assert is_watched(Kind.JOB, Scope.of(job), job.job_id)


def test_instance_panel_shows_the_decoded_log_and_offers_a_download(admin_client, synced):
    instance = (
        TaskInstance.objects.filter(log__isnull=False, state="FAILED")
        .select_related("task__job")
        .earliest("pk")
    )
    url = reverse(
        "batch:instance-detail", args=[instance.task.job.job_id, instance.task.name, instance.index]
    )
    body = admin_client.get(url).content.decode()
    assert "processed chunk" in body  # decoded from base64
    assert "\x1b[" not in body  # ANSI rendered, not leaked
    download = admin_client.get(url, {"download": "stderr"})
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content.decode() == instance.log.stderr


def test_env_pages(admin_client, synced):
    body = admin_client.get(reverse("batch:env-list")).content.decode()
    assert "render-farm" in body
    from apps.batch.models import ComputeEnv

    env = ComputeEnv.objects.get(name="render-farm")
    detail = admin_client.get(reverse("batch:env-detail", args=[env.env_id])).content.decode()
    assert env.nodes.earliest("pk").node_id in detail and "CREATE_COMPUTE_NODE" in detail


def test_search_jumps_to_ids_and_filters_with_terms(admin_client, synced):
    job = Job.objects.earliest("pk")
    assert admin_client.get(reverse("ui:search"), {"q": job.job_id})["Location"] == reverse(
        "batch:job-detail", args=[job.job_id]
    )
    assert admin_client.get(reverse("ui:search"), {"q": "state:failed name:align"})["Location"] == (
        "/jobs/?state=FAILED&q=align"
    )


def test_unknown_ids_are_404(admin_client, synced):
    assert admin_client.get(reverse("batch:job-detail", args=["job-00000000"])).status_code == 404
