"""The audit page: a team's members read the team's events, whatever became of the accounts,
users and teams they name; nobody else does (superusers read everything)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import Team, User
from apps.audit.models import AuditEvent
from apps.cloud.models import CloudAccount

pytestmark = pytest.mark.django_db


def audit_page(username: str) -> str:
    client = Client()
    client.force_login(User.objects.get(username=username))
    reply = client.get("/audit/")
    assert reply.status_code == 200
    return reply.content.decode()


def events() -> list[dict[str, Any]]:
    return [dict(e) for e in AuditEvent.objects.order_by("pk").values()]


def test_members_read_their_teams_events_and_nobody_else_does(ops: Team) -> None:
    for name in ("vera", "otto", "root"):
        page = audit_page(name)
        assert "job-retried" in page and "membership.set" in page, name
    page = audit_page("sam")
    assert "job-retried" not in page and "membership.set" not in page


def test_disabling_an_account_hides_none_of_its_events(ops: Team) -> None:
    CloudAccount.objects.filter(name="prod").update(enabled=False)
    for name in ("vera", "root"):
        assert "job-retried" in audit_page(name), name
    assert "job-retried" not in audit_page("sam")


def test_deleting_the_user_leaves_the_events_as_they_were(ops: Team) -> None:
    before = events()
    User.objects.get(username="otto").delete()
    assert events() == before
    page = audit_page("vera")
    assert "job-retried" in page and "otto" in page


def test_deleting_the_account_leaves_the_events_as_they_were(ops: Team) -> None:
    before = events()
    CloudAccount.objects.get(name="prod").delete()
    assert events() == before
    page = audit_page("vera")
    assert "job-retried" in page and "prod/ap-guangzhou" in page


def test_deleting_the_team_leaves_the_events_as_they_were(ops: Team) -> None:
    CloudAccount.objects.get(name="prod").delete()  # a team with accounts is protected
    before = events()
    ops.delete()
    assert events() == before
    page = audit_page("root")  # the team's members went with it
    assert "membership.set" in page and ">ops<" in page
    assert "membership.set" not in audit_page("sam")
