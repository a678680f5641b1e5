"""Who may see and do what (every URL x every kind of user), and what no page ever shows."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.batch.models import ComputeEnv, Job, TaskInstance
from apps.cloud.models import CloudAccount
from apps.emulator.server import DEMO_SECRET_KEY
from apps.omics.models import Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(synced):
    team = Team.objects.create(name="ops")
    CloudAccount.objects.filter(name="demo").update(team=team)
    other = Team.objects.create(name="elsewhere")
    users = {}
    for name, role, in_team in (
        ("viewer", Role.VIEWER, team),
        ("operator", Role.OPERATOR, team),
        ("admin", Role.ADMIN, team),
        ("stranger", Role.OPERATOR, other),
    ):
        users[name] = User.objects.create_user(name, password=f"{name}-password-1")
        membership_set(team=in_team, user=users[name], role=role)
    return users


def urls() -> dict[str, str]:
    job = Job.objects.filter(tasks__instances__isnull=False).earliest("pk")
    inst = TaskInstance.objects.filter(task__job=job).select_related("task").earliest("pk")
    run = Run.objects.select_related("group").earliest("pk")
    return {
        "/": "list",
        "/jobs/": "list",
        "/jobs/?state=FAILED": "list",
        "/envs/": "list",
        "/omics/": "list",
        "/omics/environments/": "list",
        "/actions/": "list",
        "/audit/": "list",
        f"/jobs/{job.job_id}/": "object",
        f"/jobs/{job.job_id}/{inst.task.name}/{inst.index}/": "object",
        f"/jobs/{job.job_id}/{inst.task.name}/{inst.index}/?download=stdout": "object",
        f"/envs/{ComputeEnv.objects.earliest('pk').env_id}/": "object",
        f"/omics/run-groups/{run.group.run_group_id}/": "object",
        f"/omics/runs/{run.run_uuid}/": "object",
        f"/search/?q={job.job_id}": "search",
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["anonymous", "viewer", "operator", "admin", "stranger"])
def test_every_page_for_every_kind_of_user(people, who):
    client = client_for(people.get(who))
    for url, kind in urls().items():
        status = client.get(url).status_code
        if who == "anonymous":
            expected = 302  # to the sign-in page
        elif who == "stranger":
            expected = {"list": 200, "object": 404, "search": 302}[
                kind
            ]  # sees nothing of the team's
        else:
            expected = 302 if kind == "search" else 200
        assert status == expected, f"{who} GET {url}: {status}"


def test_a_stranger_sees_empty_lists(people):
    body = client_for(people["stranger"]).get("/jobs/").content.decode()
    assert Job.objects.earliest("pk").job_id not in body and "No job matches." in body


def test_health_checks_need_no_sign_in(people):
    assert Client().get("/healthz").status_code == 200
    assert Client().get("/readyz").json()["database"] == "ok"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("viewer", 403), ("stranger", 200), ("operator", 200), ("admin", 200)],
)
def test_who_may_ask_for_an_action(people, who, expected):
    job = Job.objects.filter(state="FAILED").earliest("pk")
    reply = client_for(people.get(who)).post("/actions/retry-jobs/confirm/", {"target": job.job_id})
    assert reply.status_code == expected
    if who == "stranger":  # an operator elsewhere: the job is not theirs to see, nor to retry
        assert (
            "Nothing to do" in reply.content.decode()
            and "not yours to see" in reply.content.decode()
        )


@pytest.mark.parametrize("who", ["viewer", "stranger"])
def test_a_viewers_post_changes_nothing(people, synced, who):
    from apps.actions.models import Operation

    job = Job.objects.filter(state="FAILED").earliest("pk")
    before = synced.stats.snapshot()["totals"]["answered"]
    reply = client_for(people[who]).post("/actions/retry-jobs/run/", {"target": job.job_id})
    assert reply.status_code == {"viewer": 403, "stranger": 302}[who]
    assert not Operation.objects.exists()
    assert synced.stats.snapshot()["totals"]["answered"] == before


def test_actions_are_never_taken_on_get(people):
    job = Job.objects.filter(state="FAILED").earliest("pk")
    client = client_for(people["operator"])
    assert client.get(f"/actions/retry-jobs/run/?target={job.job_id}").status_code == 405
    assert client.get(f"/actions/retry-jobs/confirm/?target={job.job_id}").status_code == 405


def test_posts_need_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["operator"])
    job = Job.objects.filter(state="FAILED").earliest("pk")
    assert client.post("/actions/retry-jobs/confirm/", {"target": job.job_id}).status_code == 403


def test_viewers_see_no_action_buttons_operators_do(people):
    job = Job.objects.filter(state="FAILED").earliest("pk")
    assert (
        "Retry"
        not in client_for(people["viewer"])
        .get(f"/jobs/{job.job_id}/")
        .content.decode()
        .split("<main")[1]
    )
    assert (
        'action="/actions/retry-jobs/confirm/"'
        in client_for(people["operator"]).get(f"/jobs/{job.job_id}/").content.decode()
    )


def test_no_page_or_fragment_shows_a_secret(people):
    account = CloudAccount.objects.get(name="demo")
    client = client_for(people["admin"])
    admin = User.objects.create_superuser("root", password="root-password-1")
    for url in [*urls(), f"/admin/cloud/cloudaccount/{account.pk}/change/"]:
        for headers in ({}, {"HX-Request": "true"}):
            reply = (client_for(admin) if url.startswith("/admin") else client).get(
                url, headers=headers, follow=True
            )
            body = reply.content.decode(errors="replace")
            assert DEMO_SECRET_KEY not in body, url
            assert account.secret_key_encrypted not in body, url


def test_security_headers(people):
    reply = client_for(people["viewer"]).get("/")
    assert "default-src 'self'" in reply["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in reply["Content-Security-Policy"]
    assert reply["X-Frame-Options"] == "DENY"
    assert reply["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("viewer", 403), ("operator", 403), ("admin", 200), ("stranger", 403)],
)
def test_team_management_is_for_the_teams_admins(people, who, expected):
    team = Team.objects.get(name="ops")
    assert client_for(people.get(who)).get(f"/account/teams/{team.pk}/").status_code == expected
