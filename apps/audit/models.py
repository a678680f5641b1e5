"""The audit log: who did what, when, to which cloud objects, and what the cloud answered.

Append-only, in the database too: a row is written once, and the only later change is its
outcome (pending -> succeeded | failed | unknown, the columns in `OUTCOME_COLUMNS`), made once
by `audit_finish` with a conditional update. Triggers installed by the migrations
(`apps/audit/append_only.py`) make the database refuse every other UPDATE and every DELETE,
whoever sends it: `QuerySet.update()`, `.delete()`, raw SQL, the admin.

Nothing removes events: Jobdeck has no retention of the audit log. The one way they go is with
the whole database, `manage.py flush` (what the tests do between transactional tests; see
`apps/audit/management/commands/flush.py`) or a TRUNCATE by the database's owner.

Who and what are kept as text beside the foreign keys (`username`, `team_name`,
`account_name`): the keys have no database constraint and `DO_NOTHING` on delete, so deleting a
user, a team or an account leaves every event exactly as it was. Read the names, not the
related objects, which may be gone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditStatus(models.TextChoices):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    # The call may have reached the cloud, but its answer was lost (the worker died).
    UNKNOWN = "unknown"


FINAL_STATUSES = (AuditStatus.SUCCEEDED, AuditStatus.FAILED, AuditStatus.UNKNOWN)
# What `audit_finish` writes, once; every other column is fixed when the row is written.
OUTCOME_COLUMNS = ("status", "request_id", "error_code", "error_message", "finished_at")


class AppendOnly(Exception):
    """An attempt to edit or delete an audit event."""


def _kept_reference(to: str) -> Any:
    # No constraint and DO_NOTHING: deleting the referenced row neither fails nor rewrites the
    # event (SET_NULL would be an UPDATE, which the triggers refuse).
    return models.ForeignKey(
        to,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = _kept_reference(settings.AUTH_USER_MODEL)
    username = models.CharField(max_length=150)
    team = _kept_reference("accounts.Team")
    team_name = models.CharField(max_length=100, blank=True)
    account = _kept_reference("cloud.CloudAccount")
    account_name = models.CharField(max_length=64, blank=True)
    region = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)  # e.g. batch.RetryJobs, account.create
    targets = models.JSONField(default=list)
    params = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=AuditStatus.choices, default=AuditStatus.PENDING
    )
    request_id = models.CharField(max_length=64, blank=True)
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("audit events are append-only")
