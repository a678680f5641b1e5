"""Every Omics page and fragment, on a cache the real sync filled from the demo emulator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.omics import selectors
from apps.omics.models import OmicsEnvironment, Run, RunCall, RunGroup
from tests import factories
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


@pytest.fixture
def tangled_run() -> Run:
    """A run whose calls the cloud answered with a chain 1,500 deep, two calls that are each
    other's parent, and a call that claims the run's own id with a top-level call under it."""
    account = factories.account()
    group = RunGroup.objects.create(
        account=account, region=factories.REGION, run_group_id="rg-tangled", status="RUNNING"
    )
    run = Run.objects.create(
        account=account, region=factories.REGION, group=group, run_uuid="run-1", status="RUNNING"
    )
    deep = [
        RunCall(run=run, call_id=f"deep-{n}", parent_id=f"deep-{n - 1}" if n else "run-1")
        for n in range(1500)
    ]
    tangled = [
        RunCall(run=run, call_id="loop-a", parent_id="loop-b", name="loop-a"),
        RunCall(run=run, call_id="loop-b", parent_id="loop-a", name="loop-b"),
        RunCall(run=run, call_id="top", parent_id="run-1", name="top"),
        RunCall(run=run, call_id="run-1", parent_id="top", name="the-run-again"),
    ]
    RunCall.objects.bulk_create([*deep, *tangled], batch_size=500)
    return run


def test_a_deep_or_cyclic_call_tree_shows_every_call_once(admin_client, tangled_run):
    page = admin_client.get(reverse("omics:run-detail", args=[tangled_run.run_uuid]))
    assert page.status_code == 200
    calls = selectors.calls_of(tangled_run)
    assert len(calls) == len({c.call_id for c in calls}) == 1504
    body = page.content.decode()
    for name in ("loop-a", "loop-b", "top", "the-run-again"):
        assert f"{name}</td>" in body
