"""Ids and names from the cloud are path segments that round-trip: a task named `stage/1`, a job
or run id holding `/`, `%`, `?`, `#`, spaces, non-ASCII or dots is listed, found, shown on its
page, and every link on those pages leads somewhere (200), never a 500 or another object."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from apps.batch.models import Job, Task
from apps.cloud.models import CloudAccount
from apps.emulator.server import Emulator
from apps.omics.models import Run, RunGroup
from tests import factories
from tests.conftest import start_emulator
from tests.sync.drive import batch_world, converged, drive

pytestmark = pytest.mark.django_db
HOSTILE_IDS = [
    "job-a/b",
    "job-a%2Fb",
    "job-50%",
    "job-a?b=1#c",
    "job a b",
    "job-é中",
    "..",
    ".",
    "job-../x",
]


class _Links(HTMLParser):
    """Every same-site href and hx-get of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "hx-get", "data-href") and value and not value.startswith("#"):
                self.links.append(value)


def links_of(body: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(body)
    absolute = [urljoin(base, link) for link in parser.links]
    return sorted({link for link in absolute if not urlsplit(link).netloc})


def assert_every_link_works(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    body = page.content.decode()
    for link in links_of(body, url):
        if link.startswith("/static/"):
            continue
        segments = urlsplit(link).path.split("/")
        assert "." not in segments and ".." not in segments, link  # a browser resolves those away
        assert client.get(link).status_code in (200, 286), f"{link} (on {url})"
    return body


@pytest.fixture
def stage_job(clock: Any) -> Iterator[tuple[Emulator, CloudAccount, str]]:
    """A job whose tasks are named `stage/1` and `stage/2`, cached by the real sync."""
    emulator = start_emulator("empty", clock=clock, limits_enabled=False)
    try:
        world = batch_world(emulator)
        task = {
            "TaskInstanceNum": 1,
            "Application": {"DeliveryForm": "LOCAL", "Command": "true"},
            "ComputeEnv": {"EnvType": "MANAGED", "EnvData": {"InstanceType": "S5.MEDIUM4"}},
        }
        spec = {
            "JobName": "stages",
            "Tasks": [{**task, "TaskName": "stage/1"}, {**task, "TaskName": "stage/2"}],
            "Dependences": [{"StartTask": "stage/1", "EndTask": "stage/2"}],
        }
        job = world.submit(spec, "ap-guangzhou-3")
        clock.advance(30)
        account = factories.emulator_account(emulator)
        drive(account, until=lambda: converged(emulator, account))
        yield emulator, account, job.id
    finally:
        emulator.stop()


def test_a_task_named_stage_slash_1_is_shown_and_every_link_works(admin_client, stage_job):
    _, _, job_id = stage_job
    assert set(Task.objects.filter(job__job_id=job_id).values_list("name", flat=True)) == {
        "stage/1",
        "stage/2",
    }
    listed = assert_every_link_works(admin_client, reverse("batch:job-list"))
    assert job_id in listed
    detail = reverse("batch:job-detail", args=[job_id])
    body = assert_every_link_works(admin_client, detail)
    assert "stage/1" in body and "stage/2" in body
    instance = reverse("batch:instance-detail", args=[job_id, "stage/1", 0])
    assert instance in body
    shown = assert_every_link_works(admin_client, instance)
    assert "stage/1" in shown and "stage/2" not in shown  # the task itself, not its neighbour


@pytest.fixture
def hostile_rows(request: pytest.FixtureRequest) -> str:
    """A job, its task and instance, a run group and a run, all named `request.param`."""
    hostile = request.param
    account = factories.account()
    factories.jobs(account, 1, tasks=1, instances=1)
    Job.objects.update(job_id=hostile, name=f"named {hostile}")
    Task.objects.update(name=hostile)
    group = RunGroup.objects.create(
        account=account, region=factories.REGION, run_group_id=hostile, status="RUNNING"
    )
    Run.objects.create(
        account=account, region=factories.REGION, group=group, run_uuid=hostile, status="RUNNING"
    )
    return hostile


@pytest.mark.parametrize("hostile_rows", HOSTILE_IDS, indirect=True)
def test_hostile_ids_round_trip_through_every_page(admin_client, hostile_rows):
    hostile = hostile_rows
    for name, args in [
        ("batch:job-detail", [hostile]),
        ("batch:instance-detail", [hostile, hostile, 0]),
        ("omics:run-group-detail", [hostile]),
        ("omics:run-detail", [hostile]),
    ]:
        url = reverse(name, args=args)
        body = assert_every_link_works(admin_client, url)
        assert hostile in body.replace("&amp;", "&").replace("&#x27;", "'"), url
    assert reverse("batch:job-detail", args=[hostile]) in assert_every_link_works(
        admin_client, reverse("batch:job-list")
    )
    assert reverse("omics:run-group-detail", args=[hostile]) in assert_every_link_works(
        admin_client, reverse("omics:run-group-list")
    )
    found = admin_client.get(reverse("batch:job-list"), {"q": hostile})
    assert reverse("batch:job-detail", args=[hostile]) in found.content.decode()


@pytest.mark.parametrize("hostile_rows", ["job-a/b", "job-50%", "job-é中"], indirect=True)
def test_search_jumps_to_a_job_whose_id_holds_a_slash(admin_client, hostile_rows):
    jump = admin_client.get(reverse("ui:search"), {"q": hostile_rows})
    assert jump.status_code == 302
    assert jump["Location"] == reverse("batch:job-detail", args=[hostile_rows])
    page = admin_client.get(jump["Location"])
    assert page.status_code == 200 and f"named {hostile_rows}" in page.content.decode()
