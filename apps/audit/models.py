"""The audit log: who did what, when, to which cloud objects, and what the cloud answered.

Append-only: a row is written once, and the only later change is its outcome (pending ->
succeeded | failed | unknown), made once by `audit_finish` with a conditional update. Nothing
edits or deletes a row, not even the admin.
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


class AppendOnly(Exception):
    """An attempt to edit or delete an audit event."""


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)  # kept when the user is deleted
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey(
        "cloud.CloudAccount", null=True, on_delete=models.SET_NULL, related_name="+"
    )
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
