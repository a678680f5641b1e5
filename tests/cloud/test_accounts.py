"""Cloud accounts: secrets encrypted at rest and write-only; the account command."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from apps.cloud.models import CloudAccount
from apps.cloud.services import account_create, account_ensure_default
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

pytestmark = pytest.mark.django_db
SECRET = "s3cretKEYs3cretKEYs3cretKEY00000"


def test_the_secret_key_is_encrypted_at_rest():
    account = account_create(
        name="a", secret_id="AKIDa", secret_key=SECRET, regions=["ap-guangzhou"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key_encrypted FROM cloud_cloudaccount WHERE id = %s", [account.pk]
        )
        stored = cursor.fetchone()[0]
    assert SECRET not in stored
    assert CloudAccount.objects.get(pk=account.pk).secret_key == SECRET


def test_invalid_budget_share_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        account_create(
            name="b",
            secret_id="AKIDb",
            secret_key=SECRET,
            regions=["ap-guangzhou"],
            budget_share=1.5,
        )


def test_the_default_account_comes_from_the_tencentcloud_variables(settings):
    settings.TENCENTCLOUD_SECRET_ID, settings.TENCENTCLOUD_SECRET_KEY = "AKIDenv", SECRET
    account = account_ensure_default()
    assert account is not None
    assert (account.secret_id, account.secret_key) == ("AKIDenv", SECRET)
    again = account_ensure_default()
    assert again is not None and again.pk == account.pk  # once


def test_the_admin_never_shows_the_secret(client):
    account = account_create(
        name="c", secret_id="AKIDc", secret_key=SECRET, regions=["ap-guangzhou"]
    )
    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw-root-123")
    client.force_login(admin)
    page = client.get(f"/admin/cloud/cloudaccount/{account.pk}/change/").content.decode()
    assert "AKIDc" in page
    assert SECRET not in page
    assert account.secret_key_encrypted not in page
    # Saving with an empty SecretKey keeps the stored one.
    reply = client.post(
        f"/admin/cloud/cloudaccount/{account.pk}/change/",
        {
            "name": "c",
            "secret_id": "AKIDc",
            "regions": ["ap-shanghai"],
            "budget_share": "0.5",
            "endpoint": "",
            "enabled": "on",
            "secret_key": "",
            "token": "",
        },
    )
    assert reply.status_code == 302
    account.refresh_from_db()
    assert account.secret_key == SECRET
    assert account.regions == ["ap-shanghai"]
    from apps.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="account.change", targets=["c"])
    assert (
        event.username == "root"
        and event.params["changes"]["regions"] == {"old": ["ap-guangzhou"], "new": ["ap-shanghai"]}
        and event.params["secrets_changed"] == []
        and SECRET not in str(event.params)
    )


def test_the_command_adds_and_checks_an_account_against_the_emulator(emulator, capsys):
    call_command(
        "cloud_account",
        "add",
        "emu",
        "--secret-id",
        DEMO_SECRET_ID,
        "--secret-key",
        DEMO_SECRET_KEY,
        "--regions",
        "ap-guangzhou,ap-shanghai",
        "--endpoint",
        f"http://127.0.0.1:{emulator.port}",
    )
    out = capsys.readouterr().out
    assert "Added account emu." in out
    assert out.count("ok  ") == 4  # batch and omics, in two regions
    assert DEMO_SECRET_KEY not in out


def test_the_check_reports_what_failed(emulator, capsys):
    account_create(
        name="bad",
        secret_id=DEMO_SECRET_ID,
        secret_key=SECRET,
        regions=["ap-guangzhou"],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    with pytest.raises(CommandError, match="2 check"):
        call_command("cloud_account", "check", "bad")
    out = capsys.readouterr().out
    assert "FAIL batch" in out and "AuthFailure.SignatureFailure" in out
    assert SECRET not in out
