"""The cache of BatchCompute: environments, nodes, activities, jobs, tasks, instances, logs,
monitor samples. States hold the cloud's exact strings; an unknown string is stored as it is."""

from __future__ import annotations

from django.db import models

from apps.sync.models import CloudObject, Kind
from apps.ui.durations import elapsed


class JobState(models.TextChoices):
    """Jobs, tasks and task instances (https://www.tencentcloud.com/document/api/599/30482):
    SUBMITTED -> PENDING -> RUNNABLE -> STARTING -> RUNNING -> SUCCEED | FAILED, and
    FAILED_INTERRUPTED (failed, compute instance kept). RetryJobs takes FAILED back to PENDING."""

    SUBMITTED = "SUBMITTED"
    PENDING = "PENDING"
    RUNNABLE = "RUNNABLE"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    SUCCEED = "SUCCEED"
    FAILED = "FAILED"
    FAILED_INTERRUPTED = "FAILED_INTERRUPTED"


ACTIVE_STATES = (
    JobState.SUBMITTED,
    JobState.PENDING,
    JobState.RUNNABLE,
    JobState.STARTING,
    JobState.RUNNING,
)
# Nothing moves any more (until an operator retries); FAILED_INTERRUPTED still holds a node.
ENDED_STATES = frozenset({JobState.SUCCEED, JobState.FAILED, JobState.FAILED_INTERRUPTED})
# Nothing left to terminate (a FAILED_INTERRUPTED instance still holds its CVM: terminating it
# releases that, https://www.tencentcloud.com/document/api/599/30489).
RELEASED_STATES = frozenset({JobState.SUCCEED, JobState.FAILED})


class StatePredicates:
    """The terminal predicates of jobs, tasks and task instances (one vocabulary for all three),
    used by views, sync and actions alike."""

    state: str

    @property
    def is_ended(self) -> bool:
        """Nothing moves any more (until an operator retries it)."""
        return self.state in ENDED_STATES

    @property
    def is_released(self) -> bool:
        """Ended and holding nothing: terminating it would do nothing."""
        return self.state in RELEASED_STATES


class NodeState(models.TextChoices):
    """Compute nodes (https://www.tencentcloud.com/document/api/599/30482, ComputeNode): SUBMITTED -> CREATING -> CREATED -> RUNNING,
    CREATING -> CREATION_FAILED, RUNNING -> ABNORMAL, any terminable -> DELETING -> gone."""

    SUBMITTED = "SUBMITTED"
    PENDING = "PENDING"
    CREATING = "CREATING"
    CREATION_FAILED = "CREATION_FAILED"
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    ABNORMAL = "ABNORMAL"
    DELETING = "DELETING"


# TerminateComputeNode accepts a node only in these states
# (https://www.tencentcloud.com/document/api/599/30505).
NODE_TERMINABLE = (
    NodeState.CREATED,
    NodeState.CREATION_FAILED,
    NodeState.RUNNING,
    NodeState.ABNORMAL,
)


class ComputeEnv(CloudObject):
    KIND, ID_FIELD = Kind.ENV, "env_id"

    env_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    zone = models.CharField(max_length=64, blank=True)
    env_type = models.CharField(max_length=32, blank=True)
    resource_type = models.CharField(max_length=16, blank=True)
    desired_count = models.IntegerField(default=0)
    attached_count = models.IntegerField(default=0)
    next_action = models.CharField(max_length=32, blank=True)
    node_metrics = models.JSONField(default=dict)
    tags = models.JSONField(default=list)
    created_at = models.DateTimeField(null=True)
    # There is no state field in this API; `state` mirrors NextAction for the history.
    state = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "region", "env_id"], name="batch_env_unique")
        ]

    def __str__(self) -> str:
        return self.env_id


class ComputeNode(CloudObject):
    env = models.ForeignKey(ComputeEnv, on_delete=models.CASCADE, related_name="nodes")
    node_id = models.CharField(max_length=64)
    instance_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=32, choices=NodeState.choices)
    cpu = models.IntegerField(null=True)
    mem = models.IntegerField(null=True)
    private_ips = models.JSONField(default=list)
    public_ips = models.JSONField(default=list)
    agent_version = models.CharField(max_length=32, blank=True)
    origin = models.CharField(max_length=32, blank=True)
    available_slots = models.IntegerField(null=True)
    resource_created_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "node_id"], name="batch_node_unique"
            )
        ]

    def __str__(self) -> str:
        return self.node_id

    @property
    def is_terminable(self) -> bool:
        return self.state in NODE_TERMINABLE


class Activity(CloudObject):
    env = models.ForeignKey(ComputeEnv, on_delete=models.CASCADE, related_name="activities")
    activity_id = models.CharField(max_length=64)
    node_id = models.CharField(max_length=64, blank=True)
    instance_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=32, blank=True)
    state = models.CharField(max_length=32, blank=True)
    cause = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "region", "activity_id"], name="batch_activity_unique"
            )
        ]


class Job(StatePredicates, CloudObject):
    KIND, ID_FIELD = Kind.JOB, "job_id"

    job_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=32, choices=JobState.choices)
    priority = models.IntegerField(default=0)
    zone = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True, db_index=True)
    ended_at = models.DateTimeField(null=True)
    state_reason = models.TextField(blank=True)
    tags = models.JSONField(default=list)
    task_metrics = models.JSONField(default=dict)
    instance_metrics = models.JSONField(default=dict)
    dependences = models.JSONField(default=list)
    listed_at = models.DateTimeField(null=True)  # last seen in a DescribeJobs answer
    detail_synced_at = models.DateTimeField(null=True)  # last DescribeJob
    final_synced = models.BooleanField(default=False)  # ended, and its final details fetched

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "region", "job_id"], name="batch_job_unique")
        ]
        indexes = [
            # counts by state (the overview), covering: no row is read
            models.Index(fields=["account", "region", "state", "gone_at"], name="batch_job_counts"),
            # the job list, newest first: read in index order, stop after one page
            models.Index(fields=["-created_at", "-id"], name="batch_job_newest"),
        ]

    def __str__(self) -> str:
        return self.job_id

    @property
    def duration_seconds(self) -> float | None:
        """From creation to the end (or to now while it runs)."""
        return elapsed(self.created_at, self.ended_at)


class Task(StatePredicates, models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=255)
    state = models.CharField(max_length=32, choices=JobState.choices)
    created_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    upstream = models.JSONField(default=list)  # names of the tasks it depends on
    instance_metrics = models.JSONField(default=dict)
    instance_total = models.IntegerField(default=0)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(null=True)
    state_changed_at = models.DateTimeField(null=True)
    instances_synced_at = models.DateTimeField(null=True)  # last DescribeTask

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="batch_task_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.name}"


class TaskInstance(StatePredicates, models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="instances")
    index = models.IntegerField()
    state = models.CharField(max_length=32, choices=JobState.choices)
    exit_code = models.IntegerField(null=True)
    reason = models.TextField(blank=True)
    detailed_reason = models.TextField(blank=True)
    node_instance_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(null=True)
    launched_at = models.DateTimeField(null=True)
    running_at = models.DateTimeField(null=True)
    ended_at = models.DateTimeField(null=True)
    redirect = models.JSONField(default=dict)
    raw = models.JSONField(default=dict)
    synced_at = models.DateTimeField(null=True)
    state_changed_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "index"], name="batch_instance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.index}"


class TaskLog(models.Model):
    """The last ≤2048 bytes of stdout and stderr (decoded), and the raw values as received."""

    instance = models.OneToOneField(TaskInstance, on_delete=models.CASCADE, related_name="log")
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    stdout_raw = models.TextField(blank=True)
    stderr_raw = models.TextField(blank=True)
    problems = models.TextField(blank=True)  # what the decoder had to work around
    redirect = models.JSONField(default=dict)  # the COS paths of the full logs
    fetched_at = models.DateTimeField()
    final = models.BooleanField(default=False)  # fetched after the instance ended

    def __str__(self) -> str:
        return f"log of {self.instance_id}"


class MonitorSample(models.Model):
    instance = models.ForeignKey(TaskInstance, on_delete=models.CASCADE, related_name="samples")
    metric = models.CharField(max_length=32)
    at = models.DateTimeField()
    value = models.FloatField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["instance", "metric", "at"], name="batch_sample_unique")
        ]

    def __str__(self) -> str:
        return f"{self.metric}@{self.at:%H:%M:%S}={self.value}"
