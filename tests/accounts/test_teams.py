"""A team's admin manages its accounts and members; everyone else is refused; all audited."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import Membership, Role, Team, User
from apps.accounts.services import membership_set
from apps.audit.models import AuditEvent
from apps.cloud.models import CloudAccount
from apps.cloud.services import account_create

pytestmark = pytest.mark.django_db
SECRET = "team-secret-key-000000000000000000"


@pytest.fixture
def team():
    team = Team.objects.create(name="ops")
    for name, role in (("boss", Role.ADMIN), ("eve", Role.VIEWER), ("otto", Role.OPERATOR)):
        membership_set(
            team=team, user=User.objects.create_user(name, password=f"{name}-pw-12345"), role=role
        )
    account = account_create(
        name="prod", secret_id="AKIDprod", secret_key=SECRET, regions=["ap-guangzhou"]
    )
    account.team = team
    account.save()
    return team


def as_user(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=name))
    return client


def test_the_admin_adds_a_member_and_it_is_audited(team):
    User.objects.create_user("newbie", password="newbie-pw-123")
    reply = as_user("boss").post(
        f"/account/teams/{team.pk}/members/", {"username": "newbie", "role": "operator"}
    )
    assert reply.status_code == 302
    assert Membership.objects.get(team=team, user__username="newbie").role == "operator"
    assert AuditEvent.objects.get(action="membership.set", targets=["newbie"]).username == "boss"


def test_the_admin_edits_an_account_without_ever_seeing_its_secret(team):
    account = CloudAccount.objects.get(name="prod")
    page = as_user("boss").get(f"/account/teams/{team.pk}/").content.decode()
    assert "AKIDprod" in page and SECRET not in page and account.secret_key_encrypted not in page
    reply = as_user("boss").post(
        f"/account/teams/{team.pk}/accounts/{account.pk}/",
        {
            "name": "prod",
            "secret_id": "AKIDprod",
            "secret_key": "",
            "regions": ["ap-guangzhou", "ap-shanghai"],
            "budget_share": "0.3",
            "endpoint": "",
            "enabled": "on",
        },
    )
    assert reply.status_code == 302
    account.refresh_from_db()
    assert account.regions == ["ap-guangzhou", "ap-shanghai"] and account.budget_share == 0.3
    assert account.secret_key == SECRET  # empty keeps it
    event = AuditEvent.objects.get(action="account.change", targets=["prod"])
    assert event.params["changes"] == {
        "regions": {"old": ["ap-guangzhou"], "new": ["ap-guangzhou", "ap-shanghai"]},
        "budget_share": {"old": 0.5, "new": 0.3},
    }
    assert event.params["secrets_changed"] == [] and SECRET not in str(event.params)


@pytest.mark.parametrize("name", ["eve", "otto"])
def test_members_who_are_not_admins_are_refused(team, name):
    assert as_user(name).get(f"/account/teams/{team.pk}/").status_code == 403
    assert (
        as_user(name)
        .post(f"/account/teams/{team.pk}/members/", {"username": name, "role": "admin"})
        .status_code
        == 403
    )
    assert Membership.objects.get(team=team, user__username=name).role != "admin"


def test_an_admin_of_another_team_is_refused(team):
    other = Team.objects.create(name="other")
    membership_set(
        team=other,
        user=User.objects.create_user("mallory", password="mallory-pw-1"),
        role=Role.ADMIN,
    )
    assert as_user("mallory").get(f"/account/teams/{team.pk}/").status_code == 403
