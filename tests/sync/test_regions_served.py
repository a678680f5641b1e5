"""Streams run only where their product is served: an account watching a region a product
does not serve gets none of its calls there (counted by the emulator per region), the gateway
refuses such a call without sending it, and the account form says what each region gets."""

from __future__ import annotations

from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.test import Client

from apps.accounts.models import Role, Team, User
from apps.accounts.services import membership_set
from apps.cloud import client, gateway
from apps.cloud.errors import InvalidRequest, UnsupportedRegion
from apps.cloud.models import CloudAccount
from apps.cloud.regions import SERVED, serves
from apps.cloud.scope import Scope
from apps.emulator import scenarios
from apps.emulator.server import Emulator
from apps.sync.models import SyncHealth
from apps.sync.tasks import plan
from dashboard.celery import app
from tests import factories
from tests.waiting import wait_for

BATCH_ONLY, OMICS_ENVIRONMENTS_ONLY, EVERYTHING = "ap-hongkong", "ap-nanjing", "ap-guangzhou"
WATCHED = [EVERYTHING, OMICS_ENVIRONMENTS_ONLY, BATCH_ONLY]
# The Omics actions that answer only in ap-beijing, ap-guangzhou, ap-shanghai (the emulator's
# platform_action list, as its pages say).
PLATFORM = {"DescribeRunGroups", "DescribeRuns", "GetRunCalls", "GetRunStatus"}


def watching(emulator: Emulator, regions: list[str]) -> CloudAccount:
    account = factories.emulator_account(emulator)
    CloudAccount.objects.filter(pk=account.pk).update(regions=regions)
    account.refresh_from_db()
    return account


def calls(emulator: Emulator) -> list[dict[str, Any]]:
    return emulator.stats.snapshot()["calls"]


def called(emulator: Emulator, action: str, region: str) -> int:
    return sum(r["ok"] for r in calls(emulator) if (r["action"], r["region"]) == (action, region))


def omics_actions() -> set[str]:
    return set(next(p for p in scenarios.PRODUCTS if p.service == "omics").actions)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_worker_calls_each_product_only_where_it_is_served(emulator, settings):
    settings.CLOUD_RATE_SCALE = 100.0
    account = watching(emulator, WATCHED)

    def synced_everywhere() -> bool:
        """each product's list streams answered where they are served, and batch.jobs twice
        in the last region started (its second step is queued after every first step the
        planner started with it, so those have all run)"""
        answered = (
            called(emulator, "DescribeJobs", BATCH_ONLY)
            and called(emulator, "DescribeComputeEnvs", BATCH_ONLY)
            and called(emulator, "DescribeEnvironments", OMICS_ENVIRONMENTS_ONLY)
            and called(emulator, "DescribeEnvironments", EVERYTHING)
            and called(emulator, "DescribeRunGroups", EVERYTHING)
        )
        again = SyncHealth.objects.filter(
            account=account, region=BATCH_ONLY, stream="batch.jobs", calls__gte=2
        ).exists()
        plan()  # as beat does every few seconds: an account starts a few streams per tick
        return bool(answered and again)

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert plan() > 0
        wait_for(synced_everywhere, 90)

    rows = calls(emulator)
    assert not [r for r in rows if r["action"] in omics_actions() and r["region"] == BATCH_ONLY]
    assert not [
        r for r in rows if r["action"] in PLATFORM and r["region"] == OMICS_ENVIRONMENTS_ONLY
    ]
    assert emulator.stats.snapshot()["totals"]["unsupported_region"] == 0
    # ... and no stream was left failing (or running) where it is not served.
    assert not SyncHealth.objects.filter(account=account, consecutive_failures__gt=0).exists()
    assert not SyncHealth.objects.filter(
        account=account, region=BATCH_ONLY, stream__startswith="omics."
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region", "action"),
    [(BATCH_ONLY, "DescribeEnvironments"), (OMICS_ENVIRONMENTS_ONLY, "DescribeRunGroups")],
)
def test_the_gateway_refuses_an_unserved_call_without_sending_it(emulator, region, action):
    account = watching(emulator, WATCHED)
    with pytest.raises(UnsupportedRegion) as refused:
        gateway.cloud_call(Scope(account, region), "omics", action, {"Limit": 1})
    assert refused.value.code == "UnsupportedRegion"
    assert isinstance(refused.value, InvalidRequest)  # our mistake, never retried
    assert calls(emulator) == []  # nothing sent
    assert not list(gateway.throttle().buckets())  # and no budget spent


@pytest.mark.django_db
def test_the_clouds_own_unsupported_region_answer_is_the_same_typed_error(emulator):
    # What no table of Jobdeck's can foresee (a region retired, an action restricted later)
    # the cloud still refuses: the client raises the same error as the gateway.
    account = watching(emulator, WATCHED)
    with pytest.raises(UnsupportedRegion):
        client.call(
            credentials=gateway.credentials_for(account),
            service="omics",
            action="DescribeEnvironments",
            region=BATCH_ONLY,
            params={},
            endpoint=account.endpoint,
        )
    assert emulator.stats.snapshot()["totals"]["unsupported_region"] == 1
    assert [r["region"] for r in calls(emulator)] == [BATCH_ONLY]


def test_jobdecks_tables_agree_with_the_cloud_on_every_emulated_action():
    """Jobdeck's tables (apps/cloud/regions.py) and the emulator's (which stands for the cloud)
    are kept apart on purpose: here they must give the same answer everywhere."""
    regions = SERVED | {"ap-moon", "eu-moscow"}
    for product in scenarios.PRODUCTS:
        for action in product.actions:
            cloud = set(product.action_regions.get(action, product.regions))
            jobdeck = {r for r in regions if serves(product.service, action, r)}
            assert jobdeck == cloud & regions, (product.service, action)


# --- the account form ---------------------------------------------------------------------
@pytest.fixture
def team_admin(db) -> tuple[Team, CloudAccount, Client]:
    team = Team.objects.create(name="ops")
    membership_set(
        team=team, user=User.objects.create_user("boss", password="b-pw-12345"), role=Role.ADMIN
    )
    account = factories.account("prod")
    account.team = team
    account.save()
    client = Client()
    client.force_login(User.objects.get(username="boss"))
    return team, account, client


def save(client: Client, team: Team, account: CloudAccount, regions: list[str]) -> Any:
    form = {"name": account.name, "secret_id": account.secret_id, "budget_share": "0.5"}
    return client.post(
        f"/account/teams/{team.pk}/accounts/{account.pk}/",
        {**form, "regions": regions},
        follow=True,
    )


def test_the_account_form_says_what_each_region_gets(team_admin):
    team, _account, client = team_admin
    page = client.get(f"/account/teams/{team.pk}/").content.decode()
    assert "ap-nanjing — Omics environments only" in page
    assert "ap-hongkong — BatchCompute<" in page
    assert "ap-guangzhou — BatchCompute, Omics<" in page
    assert 'type="checkbox" name="regions" value="ap-nanjing"' in page


def test_the_account_form_saves_checked_regions_and_refuses_unknown_or_malformed(team_admin):
    team, account, client = team_admin
    save(client, team, account, [OMICS_ENVIRONMENTS_ONLY, BATCH_ONLY])
    account.refresh_from_db()
    assert account.regions == [OMICS_ENVIRONMENTS_ONLY, BATCH_ONLY]

    page = save(client, team, account, ["ap-moon"]).content.decode()
    assert "ap-moon is not served by BatchCompute or Omics." in page
    page = save(client, team, account, ["AP-GUANGZHOU"]).content.decode()
    assert "is not a region name (like ap-guangzhou)." in page
    account.refresh_from_db()
    assert account.regions == [OMICS_ENVIRONMENTS_ONLY, BATCH_ONLY]


def test_the_admin_form_offers_the_same_labelled_regions(db):
    boss = get_user_model().objects.create_superuser("root", password="root-pw-12345")
    client = Client()
    client.force_login(boss)
    page = client.get("/admin/cloud/cloudaccount/add/").content.decode()
    assert "ap-nanjing — Omics environments only" in page


# --- the overview ---------------------------------------------------------------------------
def test_the_overview_says_once_what_a_region_does_not_get(team_admin):
    team, account, client = team_admin
    CloudAccount.objects.filter(pk=account.pk).update(regions=WATCHED)
    # A failure left by a stream that ran where it is not served (before this was known).
    SyncHealth.objects.create(
        account=account,
        region=BATCH_ONLY,
        stream="omics.run_groups",
        last_error_code="UnsupportedRegion",
        consecutive_failures=7,
    )
    page = client.get("/").content.decode()
    assert page.count("Omics: not served in ap-hongkong") == 1
    assert "BatchCompute, Omics runs: not served in ap-nanjing" in page
    assert "UnsupportedRegion" not in page
