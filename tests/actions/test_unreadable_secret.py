"""FIELD_ENCRYPTION_KEY changed since the account's SecretKey was stored: nothing can be
signed, so nothing is sent. The action fails with a message saying why (not "unknown", which
would mean it may have gone out), and the sync records the same reason as the stream's health
instead of crashing its chain."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import Client

from apps.actions.models import OPEN, Operation
from apps.actions.services import action_plan, operation_start
from apps.actions.tasks import run_operation
from apps.audit.models import AuditEvent
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope
from apps.emulator.server import DEMO_SECRET_KEY
from apps.sync.models import SyncHealth
from apps.sync.tasks import step_once
from tests.actions.test_actions import World, failed_jobs
from tests.actions.test_actions import world as world  # the fixture
from tests.sync.drive import REGION

pytestmark = pytest.mark.django_db

UNREADABLE = "the stored SecretKey cannot be decrypted: FIELD_ENCRYPTION_KEY changed?"


def stored_under_another_key(account: CloudAccount) -> None:
    """The SecretKey as a deployment with another FIELD_ENCRYPTION_KEY stored it."""
    other = Fernet(Fernet.generate_key()).encrypt(DEMO_SECRET_KEY.encode()).decode()
    CloudAccount.objects.filter(pk=account.pk).update(secret_key_encrypted=other)


def test_an_action_whose_secret_cannot_be_decrypted_fails_unsent(world: World) -> None:
    [job_id] = failed_jobs(world)
    stored_under_another_key(world.account)
    operation = operation_start(world.operator, action_plan(world.operator, "retry-jobs", [job_id]))
    for _ in range(5):  # the steps the worker would run, as it runs them
        if not Operation.objects.filter(pk=operation.pk, status__in=OPEN).exists():
            break
        run_operation(operation.pk, operation.chain)

    operation.refresh_from_db()
    assert operation.status == "failed" and operation.sending is None
    outcome = operation.results[job_id]
    assert outcome["code"] == "SecretUnreadable" and outcome["message"] == UNREADABLE
    assert not outcome.get("unknown")
    assert world.calls("RetryJobs") == 0 and world.batch.jobs[job_id].state == "FAILED"
    assert not AuditEvent.objects.filter(action="batch.RetryJobs", status="unknown").exists()

    client = Client()
    client.force_login(world.operator)
    page = client.get(f"/actions/{operation.pk}/").content.decode()
    assert UNREADABLE in page and "UNKNOWN" not in page


def test_a_stream_whose_secret_cannot_be_decrypted_records_why(emulator, emulator_account):
    stored_under_another_key(emulator_account)
    emulator_account.refresh_from_db()
    scope = Scope(emulator_account, REGION)
    step = step_once("batch.jobs", scope, {})  # no crash: the chain goes on
    assert step.cursor == type(step.cursor)()
    health = SyncHealth.objects.get(account=emulator_account, stream="batch.jobs")
    assert health.last_error_code == "SecretUnreadable"
    assert health.last_error_message == UNREADABLE
    assert not emulator.stats.snapshot()["calls"]  # nothing was sent
