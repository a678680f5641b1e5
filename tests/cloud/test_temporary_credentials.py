"""Temporary key pairs (SecretId, SecretKey and token from STS) through Jobdeck's forms, its
gateway and client, against the emulator over HTTP: a token cleared, an expired token refused
with a plain message before anything is sent, a token with a long-term key refused by the
emulator, and the account pages warning before the expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.actions.services import action_plan, operation_start
from apps.actions.tasks import run_operation
from apps.audit.models import AuditEvent
from apps.cloud import gateway
from apps.cloud.errors import AuthError, in_plain_words
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope
from apps.cloud.services import account_create, account_ensure_default
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator
from apps.sync.models import SyncHealth
from apps.sync.tasks import step_once
from tests.actions.test_actions import World, failed_jobs
from tests.actions.test_actions import world as world  # the fixture
from tests.emulator.test_tokens import issue
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db
REGION = "ap-guangzhou"
TOKEN_FAILURE = "AuthFailure.TokenFailure"


@pytest.fixture(autouse=True)
def fast_limiter(settings: Any) -> None:
    """The emulator's limits are off: a test's second call need not wait for the bucket."""
    settings.CLOUD_RATE_SCALE = 100.0


def expiry_of(pair: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(pair["Expiration"])


def temporary_account(
    emulator: Emulator, pair: dict[str, Any], *, expiry: bool = True, name: str = "temp"
) -> CloudAccount:
    """An account of the emulator with the temporary pair `pair` (and its expiry, unless not)."""
    return account_create(
        name=name,
        secret_id=pair["SecretId"],
        secret_key=pair["SecretKey"],
        token=pair["Token"],
        token_expires_at=expiry_of(pair) if expiry else None,
        regions=[REGION],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )


def describe_jobs(account: CloudAccount) -> dict[str, Any]:
    return gateway.cloud_call(Scope(account, REGION), "batch", "DescribeJobs", {"Limit": 1})


def answered(emulator: Emulator) -> int:
    return int(emulator.stats.snapshot()["totals"]["answered"])


def sync_health(account: CloudAccount) -> SyncHealth:
    """What the sync records after a step of batch.jobs (a step the limiter postpones, just
    after the test's own call, records nothing: stepped again)."""
    recorded = SyncHealth.objects.filter(account=account, stream="batch.jobs")

    def stepped() -> bool:
        step_once("batch.jobs", Scope(account, REGION), {})  # never raises: the chain goes on
        return recorded.exists()

    wait_for(stepped, 10, "a step of batch.jobs recorded")
    return recorded.get()


def superuser_client() -> Client:
    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw-root-123")
    client = Client()
    client.force_login(admin)
    return client


def test_a_temporary_key_pair_is_signed_with_its_token(emulator):
    account = temporary_account(emulator, issue(emulator, 600))
    assert describe_jobs(account)["TotalCount"] > 0
    [row] = emulator.stats.snapshot()["calls"]
    assert row["secret_id"] == account.secret_id and row["ok"] == 1


def test_the_emulator_refuses_an_expired_token_and_the_page_says_so_plainly(emulator):
    # The expiry was not stored: Jobdeck cannot know, so the cloud is the one that refuses.
    account = temporary_account(emulator, issue(emulator, 0), expiry=False)
    with pytest.raises(AuthError) as refused:
        describe_jobs(account)
    assert refused.value.code == TOKEN_FAILURE

    health = sync_health(account)  # the sync records why, and goes on
    assert health.last_error_code == TOKEN_FAILURE
    page = superuser_client().get("/jobs/").content.decode()
    assert TOKEN_FAILURE in page and escape(in_plain_words(TOKEN_FAILURE)) in page


def test_jobdeck_sends_nothing_once_the_token_has_expired(emulator):
    pair = issue(emulator, 2)
    account = temporary_account(emulator, pair)
    assert describe_jobs(account)["TotalCount"] > 0  # still valid
    wait_for(lambda: CloudAccount.objects.get(pk=account.pk).token_expired, 10, "the expiry")
    sent = answered(emulator)

    with pytest.raises(gateway.TokenExpired) as refused:
        describe_jobs(CloudAccount.objects.get(pk=account.pk))
    assert refused.value.code == "TokenExpired"
    when = expiry_of(pair).strftime("%Y-%m-%d %H:%M:%S UTC")
    assert refused.value.message == (
        f"the temporary key pair expired at {when}; paste a new SecretId, SecretKey and token"
    )

    health = sync_health(account)
    assert (health.last_error_code, health.last_error_message) == (
        "TokenExpired",
        refused.value.message,
    )
    assert answered(emulator) == sent  # nothing reached the emulator
    page = superuser_client().get("/jobs/").content.decode()
    assert refused.value.message in page and escape(in_plain_words("TokenExpired")) in page


def test_an_action_with_an_expired_token_fails_unsent_with_the_reason(world: World):
    [job_id] = failed_jobs(world)  # synced with the long-term demo key pair
    pair = issue(world.emulator, 0)
    CloudAccount.objects.filter(pk=world.account.pk).update(
        secret_id=pair["SecretId"], token_expires_at=expiry_of(pair)
    )
    account = CloudAccount.objects.get(pk=world.account.pk)
    account.secret_key, account.token = pair["SecretKey"], pair["Token"]
    account.save()
    operation = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    for _ in range(5):
        run_operation(operation.pk, operation.chain)
    operation.refresh_from_db()
    outcome = operation.results[job_id]
    assert operation.status == "failed" and outcome["code"] == "TokenExpired"
    assert not outcome.get("unknown") and world.calls("RetryJobs") == 0
    assert not AuditEvent.objects.filter(action="batch.RetryJobs").exists()  # never sent
    client = Client()
    client.force_login(world.operator)
    page = client.get(f"/actions/{operation.pk}/").content.decode()
    assert outcome["message"] in page and escape(in_plain_words("TokenExpired")) in page


def test_a_token_with_a_long_term_key_pair_is_refused_by_the_emulator(emulator):
    account = account_create(
        name="stray",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        token=issue(emulator, 600)["Token"],
        regions=[REGION],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    with pytest.raises(AuthError) as refused:
        describe_jobs(account)
    assert refused.value.code == TOKEN_FAILURE


# --- the forms ---------------------------------------------------------------------------------
@pytest.fixture
def boss() -> User:
    return User.objects.create_user("boss", password="boss-pw-12345")


def team_account(emulator: Emulator, boss: User, token: str) -> CloudAccount:
    """The demo's long-term key pair with a stray `token`, in a team `boss` administers."""
    team = Team.objects.create(name="ops")
    membership_set(team=team, user=boss, role=Role.ADMIN)
    account = account_create(
        name="prod",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        token=token,
        regions=[REGION],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    account.team = team
    account.save()
    return account


def team_post(boss: User, account: CloudAccount, **fields: str) -> Any:
    client = Client()
    client.force_login(boss)
    form = {
        "name": account.name,
        "secret_id": account.secret_id,
        "secret_key": "",
        "regions": [REGION],
        "budget_share": str(account.budget_share),
        "enabled": "on",
        "token": "",
    } | fields
    assert account.team is not None
    url = f"/account/teams/{account.team.pk}/accounts/{account.pk}/"
    return client.post(url, form, follow=True)


def test_the_team_admin_clears_the_token_and_the_next_call_succeeds(emulator, boss):
    token = issue(emulator, 600)["Token"]
    account = team_account(emulator, boss, token)
    with pytest.raises(AuthError):
        describe_jobs(account)

    assert team_post(boss, account, token="").status_code == 200
    assert CloudAccount.objects.get(pk=account.pk).token == token  # empty keeps it
    assert team_post(boss, account, clear_token="on").status_code == 200
    account.refresh_from_db()
    assert account.token == "" and not account.is_temporary
    assert describe_jobs(account)["TotalCount"] > 0  # sent without a token, served

    event = AuditEvent.objects.filter(action="account.change").latest("pk")
    assert event.params["secrets_changed"] == ["token"]
    assert event.params["changes"]["temporary"] == {"old": True, "new": False}
    assert token not in str(event.params)


def test_the_django_admin_clears_the_token(emulator):
    token = issue(emulator, 600)["Token"]
    account = team_account(emulator, User.objects.create_user("x", password="x-pw-12345"), token)
    form = {
        "name": account.name,
        "team": str(account.team_id),
        "secret_id": account.secret_id,
        "regions": [REGION],
        "budget_share": "0.5",
        "endpoint": account.endpoint,
        "enabled": "on",
        "secret_key": "",
        "token": "",
        "clear_token": "on",
    }
    reply = superuser_client().post(f"/admin/cloud/cloudaccount/{account.pk}/change/", form)
    assert reply.status_code == 302
    account.refresh_from_db()
    assert not account.is_temporary and describe_jobs(account)["TotalCount"] > 0
    event = AuditEvent.objects.get(action="account.change", params__via="admin")
    assert event.params["secrets_changed"] == ["token"] and token not in str(event.params)


def test_a_new_temporary_pair_is_pasted_with_its_expiry(emulator, boss):
    account = team_account(emulator, boss, "")
    pair = issue(emulator, 3600)
    local = timezone.localtime(expiry_of(pair)).strftime("%Y-%m-%dT%H:%M")
    fields = {"secret_id": pair["SecretId"], "secret_key": pair["SecretKey"]}
    page = team_post(boss, account, token=pair["Token"], token_expires_at=local, **fields)
    assert "Saved the account prod" in page.content.decode()
    account.refresh_from_db()
    assert account.token == pair["Token"] and account.is_temporary
    assert account.token_expires_at == expiry_of(pair).replace(second=0)
    assert describe_jobs(account)["TotalCount"] > 0
    event = AuditEvent.objects.filter(action="account.change").latest("pk")
    assert event.params["secrets_changed"] == ["secret_key", "token"]
    assert pair["Token"] not in str(event.params)


def test_an_expiry_without_a_token_is_refused(emulator, boss):
    account = team_account(emulator, boss, "")
    later = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = team_post(boss, account, token_expires_at=later).content.decode()
    assert "An expiry belongs to a token" in page
    account.refresh_from_db()
    assert account.token_expires_at is None


def test_a_token_without_an_expiry_is_saved_with_a_warning(emulator, boss):
    account = team_account(emulator, boss, "")
    page = team_post(boss, account, token="a-token-from-sts").content.decode()
    assert "Saved the account prod" in page and "The token has no expiry" in page
    account.refresh_from_db()
    assert account.token == "a-token-from-sts" and account.token_expires_at is None


def test_a_token_pasted_with_a_past_expiry_is_refused(emulator, boss):
    account = team_account(emulator, boss, "")
    earlier = (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    page = team_post(boss, account, token="old", token_expires_at=earlier).content.decode()
    assert "This time has passed" in page
    assert not CloudAccount.objects.get(pk=account.pk).is_temporary


# --- warnings before the expiry ------------------------------------------------------------------
def test_the_account_pages_warn_of_an_expiry_within_the_hour(emulator, boss, settings):
    pair = issue(emulator, 1800)
    account = team_account(emulator, boss, pair["Token"])
    CloudAccount.objects.filter(pk=account.pk).update(token_expires_at=expiry_of(pair))
    client = Client()
    client.force_login(boss)
    team_page = f"/account/teams/{account.team_id}/"
    assert "expires soon" in client.get(team_page).content.decode()
    admin_list = superuser_client().get("/admin/cloud/cloudaccount/").content.decode()
    assert "temporary key pair, expires soon" in admin_list

    settings.CLOUD_TOKEN_WARN_BEFORE = 600  # 10 min: half an hour left is no warning yet
    page = client.get(team_page).content.decode()
    assert "expires soon" not in page and "temporary key pair, expires" in page

    CloudAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert "has expired" in client.get(team_page).content.decode()


def test_the_default_account_reads_the_token_the_official_tools_read(settings, emulator):
    pair = issue(emulator, 3600)
    settings.TENCENTCLOUD_SECRET_ID = pair["SecretId"]
    settings.TENCENTCLOUD_SECRET_KEY = pair["SecretKey"]
    settings.TENCENTCLOUD_TOKEN = pair["Token"]
    settings.TENCENTCLOUD_TOKEN_EXPIRES_AT = pair["Expiration"]
    settings.TENCENTCLOUD_ENDPOINT = f"http://127.0.0.1:{emulator.port}"
    account = account_ensure_default()
    assert account is not None and account.token == pair["Token"]
    assert account.token_expires_at == expiry_of(pair)
    assert describe_jobs(account)["TotalCount"] > 0


def test_the_command_adds_a_temporary_key_pair_from_the_tools_variables(emulator, monkeypatch):
    pair = issue(emulator, 3600)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", pair["SecretKey"])
    monkeypatch.setenv("TENCENTCLOUD_TOKEN", pair["Token"])
    endpoint = f"http://127.0.0.1:{emulator.port}"
    argv = ["add", "sts", "--secret-id", pair["SecretId"], "--endpoint", endpoint]
    call_command("cloud_account", *argv, "--token-expires-at", pair["Expiration"])  # and checks
    account = CloudAccount.objects.get(name="sts")
    assert account.token == pair["Token"] and account.token_expires_at == expiry_of(pair)
    event = AuditEvent.objects.get(action="account.create", targets=["sts"])
    assert event.params["secrets_changed"] == ["secret_key", "token"]


def test_an_account_whose_token_expired_can_still_be_disabled(emulator, boss):
    account = team_account(emulator, boss, "an-old-token")
    expired = timezone.now() - timedelta(minutes=10, seconds=42)
    CloudAccount.objects.filter(pk=account.pk).update(token_expires_at=expired)
    shown = timezone.localtime(expired).strftime("%Y-%m-%dT%H:%M")  # what the page's field holds
    page = team_post(boss, account, token_expires_at=shown, enabled="").content.decode()
    assert "Saved the account prod" in page
    account.refresh_from_db()
    assert not account.enabled and account.token == "an-old-token"
