"""The audit log in the admin: read only, and whole after the users, teams and accounts its
events name are deleted."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import Team, User
from apps.audit.models import AuditEvent
from apps.cloud.models import CloudAccount

pytestmark = pytest.mark.django_db


def test_the_admin_shows_events_whose_user_team_and_account_are_gone(ops: Team) -> None:
    CloudAccount.objects.get(name="prod").delete()
    User.objects.get(username="otto").delete()
    ops.delete()
    client = Client()
    client.force_login(User.objects.get(username="root"))
    listing = client.get("/admin/audit/auditevent/", {"q": "prod"}).content.decode()
    assert ">prod<" in listing and ">ops<" in listing and ">otto<" in listing
    for event in AuditEvent.objects.all():
        assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
        reply = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
        assert reply.status_code == 403
    assert AuditEvent.objects.count() == 2
