"""Nothing a team admin or the cloud sends can aim the workers elsewhere: the endpoint and the
region of an account lead only to the Tencent Cloud API (or what the deployment lists)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from apps.accounts.models import Role, Team
from apps.accounts.services import membership_set
from apps.audit.models import AuditEvent
from apps.cloud import client
from apps.cloud.endpoints import EndpointRefused, checked_endpoint
from apps.cloud.models import CloudAccount
from apps.cloud.regions import SERVED
from apps.cloud.scope import Scope
from apps.cloud.services import account_create
from apps.sync.models import SyncHealth
from apps.sync.tasks import step_once

pytestmark = pytest.mark.django_db
SECRET = "endpoint-test-secret-000000000000"


class Listener:
    """A TCP port on 127.0.0.1 that counts who connects (an internal service, the Redis)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.sock.close()


@pytest.fixture
def production_allow_list(settings):
    settings.CLOUD_ALLOW_CUSTOM_ENDPOINTS = []


def account(team: Team | None = None, **fields) -> CloudAccount:
    created = account_create(
        name=fields.pop("name", "acct"),
        secret_id="AKIDendpoint",
        secret_key=SECRET,
        regions=fields.pop("regions", ["ap-guangzhou"]),
        **fields,
    )
    if team is not None:
        created.team = team
        created.save()
    return created


@pytest.mark.parametrize(
    "url",
    [
        "https://batch.tencentcloudapi.com",
        "https://batch.ap-guangzhou.tencentcloudapi.com/",
        "omics.ap-shanghai.tencentcloudapi.com",
        "https://batch.tencentcloudapi.com:443",
    ],
)
def test_the_real_api_domains_are_allowed(url, production_allow_list):
    assert checked_endpoint(url).startswith("https://")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6391",  # the embedded Redis
        "http://127.0.0.1:8000/internal/admin",
        "http://batch.tencentcloudapi.com",  # not over TLS
        "https://batch.tencentcloudapi.com:8443",
        "https://batch.tencentcloudapi.com.evil.example",
        "https://evil.example/.tencentcloudapi.com",
        "https://user@batch.tencentcloudapi.com",
        "https://batch.tencentcloudapi.com/?x=1",
        "https://batch.tencentcloudapi.com#x",
        "https://169.254.169.254",  # the metadata service
        "file:///etc/passwd",
        "https://batch.tencentcloudapi.com:99999",
    ],
)
def test_every_other_endpoint_is_refused(url, production_allow_list):
    with pytest.raises(EndpointRefused):
        checked_endpoint(url)
    with pytest.raises(ValidationError) as refused:
        account(endpoint=url)
    assert "endpoint" in refused.value.message_dict


def test_the_deployment_lists_the_emulator(settings):
    settings.CLOUD_ALLOW_CUSTOM_ENDPOINTS = ["http://127.0.0.1:9100", "http://emulator"]
    assert checked_endpoint("http://127.0.0.1:9100/") == "http://127.0.0.1:9100"
    assert checked_endpoint("http://emulator:9100") == "http://emulator:9100"  # every port
    with pytest.raises(EndpointRefused):
        checked_endpoint("http://127.0.0.1:6391")  # another port of a listed host:port


def test_a_stored_endpoint_to_an_internal_port_is_never_called(listener, production_allow_list):
    """An endpoint saved before the check (or written past it) still aims nowhere: the call is
    refused before any connection, and the stream's error says why, not whether the port is
    open."""
    target = account()
    CloudAccount.objects.filter(pk=target.pk).update(
        endpoint=f"http://127.0.0.1:{listener.port}/internal/"
    )
    target.refresh_from_db()
    step_once("batch.jobs", Scope(target, "ap-guangzhou"), {})
    assert listener.connections == 0
    health = SyncHealth.objects.get(account=target, stream="batch.jobs")
    assert health.last_error_code == "EndpointNotAllowed"
    assert "connect" not in health.last_error_message.lower()


@pytest.mark.parametrize("region", ["x@127.0.0.1:{port}/?", "ap-guangzhou.127.0.0.1:{port}#"])
def test_a_region_is_never_pasted_into_the_host_name(region, listener):
    region = region.format(port=listener.port)
    with pytest.raises(EndpointRefused):
        client.call(
            credentials=client.Credentials("AKIDx", SECRET),
            service="batch",
            action="DescribeJobs",
            region=region,
            params={},
            timeout=(1.0, 1.0),
        )
    assert listener.connections == 0
    with pytest.raises(ValidationError) as refused:
        account(regions=[region])
    assert "regions" in refused.value.message_dict


@pytest.mark.parametrize(
    ("regions", "says"),
    [
        (["ap-atlantis"], "not served"),
        (["ap-guangzhou", "ap-guangzhou"], "named twice"),
        ([], "at least one"),
        ([f"ap-region{i}" for i in range(400)], "At most"),
        (["AP-GUANGZHOU"], "not a region name"),
    ],
)
def test_regions_are_the_ones_the_products_serve_and_bounded(regions, says):
    with pytest.raises(ValidationError) as refused:
        account(regions=regions)
    assert says in " ".join(refused.value.message_dict["regions"])


def test_every_served_region_can_be_watched():
    assert account(regions=sorted(SERVED)).regions == sorted(SERVED)


@pytest.fixture
def team_admin() -> tuple[Team, Client]:
    team = Team.objects.create(name="ops")
    boss = get_user_model().objects.create_user("boss", password="boss-pw-12345")
    membership_set(team=team, user=boss, role=Role.ADMIN)
    browser = Client()
    browser.force_login(boss)
    return team, browser


def test_a_team_admin_cannot_set_the_endpoint(team_admin, listener):
    team, browser = team_admin
    target = account(team=team)
    reply = browser.post(
        f"/account/teams/{team.pk}/accounts/{target.pk}/",
        {
            "name": "acct",
            "secret_id": "AKIDendpoint",
            "regions": ["ap-guangzhou"],
            "budget_share": "0.5",
            "endpoint": f"http://127.0.0.1:{listener.port}/",
            "enabled": "on",
        },
    )
    assert reply.status_code == 302
    target.refresh_from_db()
    assert target.endpoint == ""
    assert f"127.0.0.1:{listener.port}" not in str(AuditEvent.objects.values_list("params"))


def test_a_staff_user_who_is_not_a_superuser_cannot_edit_accounts_in_the_admin():
    staff = get_user_model().objects.create_user("staff", password="staff-pw-123", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    target = account()
    assert browser.get(f"/admin/cloud/cloudaccount/{target.pk}/change/").status_code in (
        302,
        403,
    )
    assert browser.get("/admin/cloud/cloudaccount/").status_code in (302, 403)


def test_an_account_change_records_old_and_new_values_but_no_secret(team_admin):
    team, browser = team_admin
    target = account(team=team)
    browser.post(
        f"/account/teams/{team.pk}/accounts/{target.pk}/",
        {
            "name": "renamed",
            "secret_id": "AKIDnew",
            "secret_key": "a-new-secret-key-000000000000000",
            "regions": ["ap-shanghai", "ap-beijing"],
            "budget_share": "0.25",
        },
    )
    event = AuditEvent.objects.get(action="account.change")
    assert event.params["changes"] == {
        "name": {"old": "acct", "new": "renamed"},
        "secret_id": {"old": "AKIDendpoint", "new": "AKIDnew"},
        "regions": {"old": ["ap-guangzhou"], "new": ["ap-shanghai", "ap-beijing"]},
        "budget_share": {"old": 0.5, "new": 0.25},
        "enabled": {"old": True, "new": False},
    }
    assert event.params["secrets_changed"] == ["secret_key"]
    assert "a-new-secret-key" not in str(event.params)
