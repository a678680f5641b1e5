"""Batch state vocabularies and how a task's and a job's states are derived (the state fields
of the data types, https://www.tencentcloud.com/document/api/599/30482).

Job, task and task instance share one vocabulary:
SUBMITTED -> PENDING -> RUNNABLE -> STARTING -> RUNNING -> SUCCEED | FAILED, and
FAILED_INTERRUPTED (failed, compute instance kept; FailedAction INTERRUPT/FAST_INTERRUPT).
A task is the aggregate of its instances, a job the aggregate of its tasks (inferred; the doc's
examples agree):
all SUCCEED -> SUCCEED; once nothing can progress, any FAILED_INTERRUPTED -> FAILED_INTERRUPTED,
else FAILED; otherwise the most advanced active state present.
"""

from __future__ import annotations

from collections.abc import Iterable

SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING = (
    "SUBMITTED",
    "PENDING",
    "RUNNABLE",
    "STARTING",
    "RUNNING",
)
SUCCEED, FAILED, FAILED_INTERRUPTED = "SUCCEED", "FAILED", "FAILED_INTERRUPTED"

ACTIVE_ORDER = (SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING)
ENDED = frozenset({SUCCEED, FAILED, FAILED_INTERRUPTED})
ALL_STATES = (*ACTIVE_ORDER, SUCCEED, FAILED, FAILED_INTERRUPTED)

# Metric field of each state in TaskMetrics / TaskInstanceMetrics.
METRIC_FIELDS = {
    SUBMITTED: "SubmittedCount",
    PENDING: "PendingCount",
    RUNNABLE: "RunnableCount",
    STARTING: "StartingCount",
    RUNNING: "RunningCount",
    SUCCEED: "SucceedCount",
    FAILED_INTERRUPTED: "FailedInterruptedCount",
    FAILED: "FailedCount",
}

# Compute nodes (https://www.tencentcloud.com/document/api/599/30482#ComputeNode) and the
# ComputeNodeMetrics field of each (PENDING has none).
NODE_METRIC_FIELDS = {
    "SUBMITTED": "SubmittedCount",
    "CREATING": "CreatingCount",
    "CREATION_FAILED": "CreationFailedCount",
    "CREATED": "CreatedCount",
    "RUNNING": "RunningCount",
    "DELETING": "DeletingCount",
    "ABNORMAL": "AbnormalCount",
}
NODE_TERMINABLE = frozenset({"CREATED", "CREATION_FAILED", "RUNNING", "ABNORMAL"})


def aggregate(states: Iterable[str], *, settled: bool) -> str:
    """The state of a whole from its parts; `settled` says nothing more can progress."""
    present = set(states)
    if present and present == {SUCCEED}:
        return SUCCEED
    if settled:
        return FAILED_INTERRUPTED if FAILED_INTERRUPTED in present else FAILED
    for state in reversed(ACTIVE_ORDER):
        if state in present:
            return state
    return SUBMITTED


def metrics(states: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(METRIC_FIELDS.values(), 0)
    for state in states:
        field = METRIC_FIELDS.get(state)
        if field:
            counts[field] += 1
    return counts
