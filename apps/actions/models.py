"""An operation: one operator action on one or many targets, sent to the cloud in the
background at the pace of the rate limiter, cancellable until each call is sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.cloud.scope import Scope


class OperationStatus(models.TextChoices):
    """PENDING -> RUNNING -> SUCCEEDED | FAILED (some call failed) | CANCELLED."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


OPEN = (OperationStatus.PENDING, OperationStatus.RUNNING)


class Operation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.ForeignKey("cloud.CloudAccount", on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=32)
    action = models.CharField(max_length=32)  # a key of apps.actions.catalog.ACTIONS
    targets = models.JSONField(default=list)  # the keys to act on, in order
    skipped = models.JSONField(default=list)  # [{"target", "reason"}]: what the cloud would refuse
    results = models.JSONField(default=dict)  # target -> {"ok", "request_id", "code", "message"}
    # Targets whose call the cloud refused with RequestLimitExceeded (so nothing was done),
    # sent again later: target -> {"tries", "retry_at", "request_id", "message"}, the last
    # refusal. Kept once the target has its result: how many tries it took.
    refused = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=OperationStatus.choices, default=OperationStatus.PENDING
    )
    # The same action on the same targets while one is open is the same operation: a double
    # click or a second operator makes one cloud call.
    dedupe_key = models.CharField(max_length=64)
    cancel_requested = models.BooleanField(default=False)
    # The chunk being sent ({"targets", "event"}), written before the call and cleared with its
    # result. Found set after its lease, it means the sender died after the call may have
    # gone out: the outcome is recorded as unknown and re-checked, never sent again.
    sending = models.JSONField(null=True, default=None)
    sending_since = models.DateTimeField(null=True)
    # The chain of steps that drives the operation; a step of an older chain stops. When the
    # next step is overdue (its worker died), `resume_operations` starts a new chain.
    chain = models.CharField(max_length=32, default="", blank=True)
    next_step_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["pending", "running"]),
                name="one_open_operation",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} x{len(self.targets)} ({self.status})"

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)

    @property
    def done_count(self) -> int:
        return len(self.results)

    @property
    def failed_count(self) -> int:
        """Targets whose call failed, or whose outcome is unknown (the answer was lost)."""
        return sum(1 for r in self.results.values() if not r.get("ok"))

    @property
    def unknown_count(self) -> int:
        return sum(1 for r in self.results.values() if r.get("unknown"))

    @property
    def requeued_count(self) -> int:
        """Targets refused by the cloud's frequency limit (nothing done), to be sent again."""
        return sum(1 for k in self.refused if k not in self.results)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / len(self.targets)) if self.targets else 100

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
