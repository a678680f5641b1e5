"""The cache of Omics: environments, cache volumes, run groups, runs and their calls.

Statuses hold the cloud's exact strings; an unknown string is stored as it is. The docs
enumerate only the environment statuses (https://cloud.tencent.com/document/api/1643/89100);
for run groups, runs and calls they show a few example values, so the choices below are those plus the non-terminal
values the emulator adds (apps/emulator/omics/world.py), and "ended" falls back on the
cloud's EndTime for a status nobody has seen yet (`group_ended`, `run_ended`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models

from apps.sync.models import CloudObject, Kind
from apps.ui.durations import elapsed


class EnvironmentStatus(models.TextChoices):
    """Environments (enumerated in full): INITIALIZING -> RUNNING |
    INITIALIZATION_ERROR, RUNNING -> ERROR, any -> DELETING -> gone | DELETE_ERROR."""

    INITIALIZING = "INITIALIZING"
    INITIALIZATION_ERROR = "INITIALIZATION_ERROR"
    RUNNING = "RUNNING"
    ERROR = "ERROR"
    DELETING = "DELETING"
    DELETE_ERROR = "DELETE_ERROR"


# Nothing changes without an operator (environments never end; they settle or go away).
ENV_SETTLED = frozenset(
    {
        EnvironmentStatus.RUNNING,
        EnvironmentStatus.ERROR,
        EnvironmentStatus.INITIALIZATION_ERROR,
        EnvironmentStatus.DELETE_ERROR,
    }
)


class VolumeStatus(models.TextChoices):
    """Cache volumes: only AVAILABLE is ever shown."""

    AVAILABLE = "AVAILABLE"


class RunGroupStatus(models.TextChoices):
    """Run groups (not enumerated): INIT -> RUNNING -> COMPLETE (every run
    SUCCESS) | COMPLETE_ERROR (any other end, a terminated group included). RetryRuns never
    moves a group: it creates a new one."""

    INIT = "INIT"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    COMPLETE_ERROR = "COMPLETE_ERROR"


GROUP_ENDED = frozenset({RunGroupStatus.COMPLETE, RunGroupStatus.COMPLETE_ERROR})


class RunStatus(models.TextChoices):
    """Runs (not enumerated): INIT -> RUNNING -> SUCCESS | EXECUTOR_ERROR,
    and CANCELED when the run group is terminated."""

    INIT = "INIT"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    EXECUTOR_ERROR = "EXECUTOR_ERROR"
    CANCELED = "CANCELED"


RUN_ENDED = frozenset({RunStatus.SUCCESS, RunStatus.EXECUTOR_ERROR, RunStatus.CANCELED})
RUN_RETRYABLE = frozenset({RunStatus.EXECUTOR_ERROR, RunStatus.CANCELED})


class CallStatus(models.TextChoices):
    """Calls from GetRunCalls (not enumerated): QUEUED -> RUNNING ->
    COMPLETE | FAILED, and ABORTED when the run is canceled."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"
    ABORTED = "ABORTED"


CALL_ENDED = frozenset({CallStatus.COMPLETE, CallStatus.FAILED, CallStatus.ABORTED})


def group_ended(status: str, ended_at: datetime | None) -> bool:
    """A known terminal status, or an unknown status with an EndTime (the real cloud may use
    values the doc never showed; a stranger that has ended must not be polled for ever)."""
    if status in GROUP_ENDED:
        return True
    return status not in RunGroupStatus.values and ended_at is not None


def run_ended(status: str, ended_at: datetime | None) -> bool:
    if status in RUN_ENDED:
        return True
    return status not in RunStatus.values and ended_at is not None


class OmicsProject(CloudObject):
    """A project of a region: run groups, runs and calls belong to one; environments do not.
    Listed by DescribeProjects, or named by the team admin (CloudAccount.omics_projects) when
    the key pair may not list them."""

    project_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "project_id"], name="omics_project_unique"
            )
        ]
        ordering = ["-is_default", "name", "project_id"]

    def __str__(self) -> str:
        return self.name or self.project_id


class OmicsEnvironment(CloudObject):
    environment_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, choices=EnvironmentStatus.choices)
    available = models.BooleanField(default=False)  # must be true to submit runs
    type = models.CharField(max_length=32, blank=True)  # KUBERNETES | HPC
    is_default = models.BooleanField(default=False)
    is_managed = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True)  # the cloud's CreationTime

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "environment_id"], name="omics_env_unique"
            )
        ]

    def __str__(self) -> str:
        return self.environment_id


class Volume(CloudObject):
    volume_id = models.CharField(max_length=64)
    environment_id = models.CharField(max_length=64, db_index=True)
    name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=32, choices=VolumeStatus.choices, blank=True)
    spec = models.CharField(max_length=32, blank=True)
    type = models.CharField(max_length=32, blank=True)
    capacity = models.BigIntegerField(null=True)  # GB
    usage = models.BigIntegerField(null=True)  # bytes
    is_default = models.BooleanField(default=False)
    default_mount_path = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "volume_id"], name="omics_volume_unique"
            )
        ]

    def __str__(self) -> str:
        return self.volume_id

    @property
    def usage_gb(self) -> float | None:
        return None if self.usage is None else self.usage / 1e9


class RunGroup(CloudObject):
    KIND, ID_FIELD = Kind.RUN_GROUP, "run_group_id"

    run_group_id = models.CharField(max_length=128)
    # The project it belongs to, as the cloud names it ("" only if an answer left it out).
    project_id = models.CharField(max_length=64, blank=True, db_index=True)
    project_name = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=32, choices=RunGroupStatus.choices)
    type = models.CharField(max_length=16, blank=True)  # WDL | NEXTFLOW
    application_id = models.CharField(max_length=128, blank=True)
    application_name = models.CharField(max_length=255, blank=True)
    environment_id = models.CharField(max_length=64, blank=True)
    total_run = models.IntegerField(default=0)
    status_counts = models.JSONField(default=dict)  # {run status: count}
    table_id = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(null=True, db_index=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)  # the cloud's UpdateTime
    runs_synced_at = models.DateTimeField(null=True)  # last complete DescribeRuns of the group
    final_synced = models.BooleanField(default=False)  # ended, and its runs listed after that

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "run_group_id"], name="omics_run_group_unique"
            )
        ]
        indexes = [models.Index(fields=["account", "region", "status"])]

    def __str__(self) -> str:
        return self.run_group_id

    @property
    def is_ended(self) -> bool:
        return group_ended(self.status, self.ended_at)

    @property
    def duration_seconds(self) -> float | None:
        return elapsed(self.started_at or self.created_at, self.ended_at)


class Run(CloudObject):
    KIND, ID_FIELD = Kind.RUN, "run_uuid"

    group = models.ForeignKey(RunGroup, on_delete=models.CASCADE, related_name="runs")
    run_uuid = models.CharField(max_length=64)
    project_id = models.CharField(max_length=64, blank=True)  # its group's
    status = models.CharField(max_length=32, choices=RunStatus.choices)
    user_defined_id = models.CharField(max_length=255, blank=True)
    table_row_uuid = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    input = models.TextField(blank=True)  # JSON text or a COS key, as the cloud sends it
    created_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)  # the cloud's UpdateTime
    calls_synced_at = models.DateTimeField(null=True)  # last complete walk of the call tree
    final_synced = models.BooleanField(default=False)  # ended, and its calls walked after that

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "run_uuid"], name="omics_run_unique"
            )
        ]
        indexes = [models.Index(fields=["account", "region", "status"])]

    def __str__(self) -> str:
        return self.run_uuid

    @property
    def is_ended(self) -> bool:
        return run_ended(self.status, self.ended_at)

    @property
    def is_retryable(self) -> bool:
        """RetryRuns takes failed and canceled runs."""
        return self.status in RUN_RETRYABLE

    @property
    def duration_seconds(self) -> float | None:
        return elapsed(self.started_at or self.created_at, self.ended_at)


class RunCall(models.Model):
    """One node of a run's call tree (GetRunCalls): `parent_id` is the run's uuid at the top
    level, else the RunId of the Workflow or Scatter call above."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="calls")
    call_id = models.CharField(max_length=255)  # the cloud's RunId
    parent_id = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)  # CallName
    run_type = models.CharField(max_length=16, blank=True)  # Task | Workflow | Scatter
    status = models.CharField(max_length=32, choices=CallStatus.choices)
    job_id = models.CharField(max_length=128, blank=True)
    scatter_index = models.CharField(max_length=32, blank=True)
    submitted_at = models.DateTimeField(null=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    error_message = models.TextField(blank=True)
    stdout_path = models.TextField(blank=True)
    stderr_path = models.TextField(blank=True)
    workdir = models.TextField(blank=True)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(null=True)
    state_changed_at = models.DateTimeField(null=True)
    # Set when a whole, clean walk of the run's tree no longer finds the call (the docs never
    # drop calls, but a restarted world can): kept, not shown, cleared if it comes back.
    gone_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "call_id"], name="omics_call_unique")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.call_id}"

    @property
    def duration_seconds(self) -> float | None:
        return elapsed(self.started_at, self.ended_at)
