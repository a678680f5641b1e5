"""The database itself keeps the audit log append-only: every UPDATE and DELETE is refused,
however it is sent, except the one outcome change of a pending event. Run on SQLite and,
with DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.audit.models import AuditEvent, AuditStatus
from apps.audit.services import audit_finish, audit_record

pytestmark = pytest.mark.django_db
# What the outcome change may write, once; every other column is fixed at insert.
OUTCOME = {"status", "request_id", "error_code", "error_message", "finished_at"}


@pytest.fixture
def event() -> AuditEvent:
    user = User.objects.create_user("op", password="op-password-1")
    team = Team.objects.create(name="ops")
    return audit_record(
        user=user, action="batch.RetryJobs", targets=["job-1"], params={"n": 1}, team=team
    )


def row(event: AuditEvent) -> dict[str, Any]:
    return dict(AuditEvent.objects.filter(pk=event.pk).values().get())


def refused(write: Any) -> None:
    """`write()` is refused by the database with an IntegrityError (in a savepoint, so the
    test's transaction goes on)."""
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        write()


def test_queryset_update_is_refused(event: AuditEvent) -> None:
    before = row(event)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(username="someone-else"))
    refused(lambda: AuditEvent.objects.update(targets=["job-2"]))
    assert row(event) == before


def test_queryset_delete_is_refused(event: AuditEvent) -> None:
    before = row(event)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(lambda: AuditEvent.objects.all().delete())
    assert row(event) == before


def raw(sql: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_update_and_delete_are_refused(event: AuditEvent) -> None:
    before = row(event)
    refused(lambda: raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", "x", event.pk))
    refused(lambda: raw("UPDATE audit_auditevent SET username = %s", "someone-else"))
    refused(lambda: raw("DELETE FROM audit_auditevent WHERE id = %s", event.pk))
    refused(lambda: raw("DELETE FROM audit_auditevent"))
    assert row(event) == before


def other_value(field: Any, event: AuditEvent) -> Any:
    """A value of `field`'s type that differs from the event's."""
    kind = field.get_internal_type()
    if kind in {"AutoField", "BigAutoField"}:
        return event.pk + 1000
    if kind == "ForeignKey":
        return 999_999
    if kind == "DateTimeField":
        return timezone.now() + timedelta(days=1)
    if kind == "JSONField":
        return ["rewritten"]
    assert kind in {"CharField", "TextField"}, f"no other value for {field.name} ({kind})"
    return "rewritten"


@pytest.mark.parametrize(
    "name", [f.name for f in AuditEvent._meta.concrete_fields if f.column not in OUTCOME]
)
def test_finishing_an_event_cannot_change_anything_else(event: AuditEvent, name: str) -> None:
    """Every column but the outcome's, even alongside an allowed pending -> succeeded."""
    field = next(f for f in AuditEvent._meta.concrete_fields if f.name == name)
    before = row(event)
    changed = {field.attname: other_value(field, event)}
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(status="succeeded", **changed))
    assert row(event) == before


def test_the_outcome_is_written_once(event: AuditEvent) -> None:
    assert audit_finish(event.pk, ok=False, request_id="req-1", error_code="FailedOperation")
    finished = row(event)
    assert finished["status"] == AuditStatus.FAILED and finished["request_id"] == "req-1"
    assert finished["finished_at"] is not None
    assert not audit_finish(event.pk, ok=True, request_id="req-2")
    # Not even the database lets a final outcome change, back to pending or to another.
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(status=AuditStatus.SUCCEEDED))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(status=AuditStatus.PENDING))
    refused(
        lambda: raw("UPDATE audit_auditevent SET error_message = %s WHERE id = %s", "-", event.pk)
    )
    assert row(event) == finished


def test_a_pending_event_changes_only_to_a_final_outcome(event: AuditEvent) -> None:
    before = row(event)
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(error_message="later"))
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(status="whatever"))
    assert row(event) == before
    assert audit_finish(event.pk, ok=None)
    assert row(event)["status"] == AuditStatus.UNKNOWN


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_log_and_leaves_it_append_only() -> None:
    """`manage.py flush` (how transactional tests end) is the one way events go, and the log
    is append-only again after it."""
    audit_record(user=None, action="account.create", targets=["prod"])
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    after = audit_record(user=None, action="account.create", targets=["prod"])
    refused(lambda: AuditEvent.objects.filter(pk=after.pk).update(action="account.delete"))
    refused(lambda: AuditEvent.objects.filter(pk=after.pk).delete())
    assert row(after)["action"] == "account.create"
