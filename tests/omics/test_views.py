"""Every Omics page and fragment, on a cache the real sync filled from the demo emulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.omics.models import OmicsEnvironment, Run, RunGroup
from tests.pages import PAGE_CHROME

pytestmark = pytest.mark.django_db


def test_run_group_list_shows_status_counts_and_filters(admin_client, synced):
    body = admin_client.get(reverse("omics:run-group-list")).content.decode()
    group = RunGroup.objects.order_by("-created_at")[0]
    assert group.run_group_id in body
    done = admin_client.get(
        reverse("omics:run-group-list"), {"status": "COMPLETE"}
    ).content.decode()
    assert all(g.run_group_id in done for g in RunGroup.objects.filter(status="COMPLETE")[:5])
    assert not any(g.run_group_id in done for g in RunGroup.objects.exclude(status="COMPLETE"))


def test_run_group_fragment_is_chrome_free(admin_client, synced):
    fragment = admin_client.get(
        reverse("omics:run-group-list"), {"status": "COMPLETE"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 286  # only ended groups: the poll stops
    assert PAGE_CHROME not in fragment.content.decode()


def test_run_group_and_run_pages_show_runs_and_the_call_timeline(admin_client, synced):
    run = Run.objects.filter(calls__isnull=False).select_related("group").earliest("pk")
    group_page = admin_client.get(
        reverse("omics:run-group-detail", args=[run.group.run_group_id])
    ).content.decode()
    assert run.run_uuid in group_page
    run_page = admin_client.get(reverse("omics:run-detail", args=[run.run_uuid])).content.decode()
    assert 'class="timeline' in run_page and "<svg" in run_page
    assert run.calls.earliest("pk").name in run_page


def test_environment_page_lists_environments_and_volumes(admin_client, synced):
    body = admin_client.get(reverse("omics:environment-list")).content.decode()
    for env in OmicsEnvironment.objects.all():
        assert env.environment_id in body
    assert "ResourceInsufficient" in body  # the broken GPU environment says why


def test_search_jumps_to_run_groups_and_runs(admin_client, synced):
    run = Run.objects.select_related("group").earliest("pk")
    assert admin_client.get(reverse("ui:search"), {"q": run.group.run_group_id})[
        "Location"
    ] == reverse("omics:run-group-detail", args=[run.group.run_group_id])
    assert admin_client.get(reverse("ui:search"), {"q": run.run_uuid})["Location"] == reverse(
        "omics:run-detail", args=[run.run_uuid]
    )
