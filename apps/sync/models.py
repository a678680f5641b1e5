"""What every cached cloud object has, its state history, and the health of each sync stream."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from apps.cloud.models import CloudAccount


class CloudObject(models.Model):
    """A row mirroring one cloud object of one account and region (docs/architecture.md).

    `raw` keeps the last record as the cloud sent it, so fields the model does not know yet
    are not lost; `gone_at` marks an object that disappeared from the cloud (never deleted
    silently).
    """

    # What kind of object it is (`Kind`) and which field holds its id in the cloud: interest,
    # history and queues name it by them.
    KIND: ClassVar[str] = ""
    ID_FIELD: ClassVar[str] = ""

    account = models.ForeignKey(CloudAccount, on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=32)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(null=True, db_index=True)
    state_changed_at = models.DateTimeField(null=True)
    gone_at = models.DateTimeField(null=True)

    class Meta:
        abstract = True

    @property
    def cloud_id(self) -> str:
        return str(getattr(self, self.ID_FIELD))


class Kind(models.TextChoices):
    ENV = "env", "compute environment"
    NODE = "node", "compute node"
    JOB = "job", "job"
    TASK = "task", "task"
    INSTANCE = "instance", "task instance"
    OMICS_ENV = "omics_env", "omics environment"
    RUN_GROUP = "run_group", "run group"
    RUN = "run", "run"
    CALL = "call", "run call"


class StateTransition(models.Model):
    """An observed change of state: feeds timelines, durations, state-count charts, freshness.

    `cloud_id` names the object within its kind: a job id, `job/task`, `job/task/index`, ...
    """

    account = models.ForeignKey(CloudAccount, on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    cloud_id = models.CharField(max_length=255)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32)
    observed_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["account", "region", "kind", "cloud_id", "observed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.cloud_id}: {self.from_state or '∅'} -> {self.to_state}"


class SyncHealth(models.Model):
    """One stream (e.g. batch.jobs) of one account and region: when it last worked and failed."""

    account = models.ForeignKey(CloudAccount, on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=32)
    stream = models.CharField(max_length=64)
    last_attempt_at = models.DateTimeField(null=True)
    last_success_at = models.DateTimeField(null=True)
    last_error_at = models.DateTimeField(null=True)
    last_error_code = models.CharField(max_length=128, blank=True)
    last_error_message = models.TextField(blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    calls = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "stream"], name="sync_health_unique_stream"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.region}/{self.stream}"
