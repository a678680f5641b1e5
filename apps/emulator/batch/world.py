"""The Batch world of one region: jobs, tasks and task instances moving on the event queue.

Compute environments and nodes live in `fleet.py`; this module owns jobs. Every transition
is an event, so the same seed gives the same history (see `events.py`). The lifecycle
follows the documented transitions, and infers the rest (TerminateTaskInstance:
https://www.tencentcloud.com/document/api/599/30489; Task.FailedAction and MaxRetryCount:
https://www.tencentcloud.com/document/api/599/30482#Task):

  job parsed: instances SUBMITTED -> PENDING; scheduled: PENDING -> RUNNABLE once every
  upstream task SUCCEED; RUNNABLE -> STARTING (LaunchTime, a compute node) -> RUNNING
  (RunningTime) -> SUCCEED (exit 0) | retry (MaxRetryCount) | FAILED (FailedAction TERMINATE)
  | FAILED_INTERRUPTED (INTERRUPT / FAST_INTERRUPT, the node is kept).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

from apps.emulator.batch import states as st
from apps.emulator.batch.fleet import Fleet
from apps.emulator.events import Scheduler
from apps.emulator.ids import Ids

EXIT_CODES = (1, 2, 126, 127, 137, 139)
FAILURE_REASONS = {
    1: "Task instance exited with a non-zero code",
    2: "Misuse of shell builtins",
    126: "Command invoked cannot execute",
    127: "Command not found",
    137: "Killed: out of memory (SIGKILL)",
    139: "Segmentation fault (SIGSEGV)",
}


@dataclass
class Profile:
    """Durations (simulated seconds, uniform in the range) and odds that shape a world."""

    parse: tuple[float, float] = (1, 4)
    schedule: tuple[float, float] = (2, 15)
    queue: tuple[float, float] = (3, 30)
    start: tuple[float, float] = (5, 20)
    run: tuple[float, float] = (30, 240)
    slow_parse_odds: float = 0.05  # a job now and then waits minutes before it is parsed
    slow_parse: tuple[float, float] = (120, 600)
    failing_job_odds: float = 0.3  # jobs whose instances may fail ...
    instance_failure_odds: float = 0.5  # ... with these odds per attempt
    retry_failure_odds: float = 0.1  # after RetryJobs the odds drop


@dataclass(eq=False)
class Instance:
    task: Task
    index: int
    created: float
    state: str = st.SUBMITTED
    exit_code: int | None = None
    reason: str = ""
    detailed_reason: str = ""
    node_instance_id: str | None = None
    launched: float | None = None
    running: float | None = None
    ended: float | None = None
    run_duration: float = 0.0
    attempts: int = 0
    generation: int = 0  # bumped on terminate and retry, so stale events are ignored
    queued: bool = False  # released for scheduling (its upstream tasks succeeded)
    log_seed: int = 0
    failure_odds: float = 0.0


@dataclass(eq=False)
class Task:
    job: Job
    name: str
    spec: dict[str, Any]
    created: float
    upstream: list[str] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    state: str = st.SUBMITTED
    ended: float | None = None

    @property
    def env_id(self) -> str | None:
        return self.spec.get("EnvId")

    @property
    def failed_action(self) -> str:
        return self.spec.get("FailedAction", "TERMINATE")

    @property
    def max_retry(self) -> int:
        return int(self.spec.get("MaxRetryCount", 0))


@dataclass(eq=False)
class Job:
    id: str
    seq: int
    spec: dict[str, Any]
    zone: str
    created: float
    state: str = st.SUBMITTED
    ended: float | None = None
    state_reason: str = ""
    tasks: dict[str, Task] = field(default_factory=dict)
    parsed: bool = False
    history: list[tuple[float, str]] = field(
        default_factory=list
    )  # (when, new state): freshness bench

    @property
    def name(self) -> str:
        return self.spec.get("JobName", "")

    @property
    def priority(self) -> int:
        return int(self.spec.get("Priority", 0))

    @property
    def tags(self) -> list[dict[str, str]]:
        return list(self.spec.get("Tags") or [])

    @property
    def dependences(self) -> list[dict[str, str]]:
        return list(self.spec.get("Dependences") or [])

    def instances(self) -> list[Instance]:
        return [inst for task in self.tasks.values() for inst in task.instances]


class BatchWorld:
    def __init__(self, region: str, *, seed: int, start: float, profile: Profile | None = None):
        self.region = region
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.sched = Scheduler(start)
        self.profile = profile or Profile()
        self.jobs: dict[str, Job] = {}
        self.job_order: list[Job] = []  # oldest first; DescribeJobs pages newest first
        self.by_state: dict[str, dict[str, Job]] = {s: {} for s in st.ALL_STATES}
        self.templates: dict[str, dict[str, Any]] = {}
        self.client_tokens: dict[str, str] = {}  # ClientToken -> the id it created (idempotency)
        self.fleet = Fleet(self)
        self._seq = 0

    @property
    def now(self) -> float:
        return self.sched.now

    def advance(self, now: float) -> None:
        self.sched.run_until(now)

    def _span(self, bounds: tuple[float, float]) -> float:
        return self.rng.uniform(*bounds)

    # --- submission ----------------------------------------------------------------------
    def submit(self, spec: dict[str, Any], zone: str) -> Job:
        """Accept a validated `Job` structure (SubmitJob); the job starts SUBMITTED."""
        self._seq += 1
        job = Job(self.ids.short("job"), self._seq, spec, zone, self.now)
        job.history.append((self.now, job.state))
        upstream: dict[str, list[str]] = {}
        for dep in job.dependences:
            upstream.setdefault(dep["EndTask"], []).append(dep["StartTask"])
        failing = self.rng.random() < self.profile.failing_job_odds
        for task_spec in spec["Tasks"]:
            name = task_spec["TaskName"]
            task = Task(job, name, task_spec, self.now, upstream.get(name, []))
            for index in range(int(task_spec.get("TaskInstanceNum", 1))):
                inst = Instance(task, index, self.now, log_seed=self.rng.getrandbits(32))
                inst.failure_odds = self.profile.instance_failure_odds if failing else 0.0
                task.instances.append(inst)
            job.tasks[name] = task
        self.jobs[job.id] = job
        self.job_order.append(job)
        self.by_state[job.state][job.id] = job
        slow = self.rng.random() < self.profile.slow_parse_odds
        self.sched.after(
            self._span(self.profile.slow_parse if slow else self.profile.parse), self._parse, job
        )
        return job

    def _parse(self, job: Job) -> None:
        if job.id not in self.jobs or job.parsed:
            return
        job.parsed = True
        for inst in job.instances():
            if inst.state == st.SUBMITTED:
                inst.state = st.PENDING
        self._refresh(job)

    # --- instance lifecycle --------------------------------------------------------------
    def _release(self, job: Job) -> None:
        """Schedule the PENDING instances of every task whose upstream tasks all succeeded."""
        for task in job.tasks.values():
            if all(job.tasks[up].state == st.SUCCEED for up in task.upstream):
                for inst in task.instances:
                    if inst.state == st.PENDING and not inst.queued:
                        inst.queued = True
                        inst.generation += 1
                        self.sched.after(
                            self._span(self.profile.schedule),
                            self._step,
                            inst,
                            inst.generation,
                            st.RUNNABLE,
                        )

    def _step(self, inst: Instance, generation: int, target: str) -> None:
        job = inst.task.job
        if generation != inst.generation or job.id not in self.jobs:
            return
        if target == st.RUNNABLE:
            inst.state = st.RUNNABLE
            self.sched.after(
                self._span(self.profile.queue), self._step, inst, generation, st.STARTING
            )
        elif target == st.STARTING:
            node = (
                self.fleet.claim_node(inst.task.env_id)
                if inst.task.env_id
                else self.ids.short("ins")
            )
            if node is None:  # no free node in the environment yet: wait in RUNNABLE
                self.sched.after(10.0, self._step, inst, generation, st.STARTING)
                return
            inst.state, inst.launched, inst.node_instance_id = st.STARTING, self.now, node
            self.sched.after(
                self._span(self.profile.start), self._step, inst, generation, st.RUNNING
            )
        elif target == st.RUNNING:
            inst.state, inst.running = st.RUNNING, self.now
            inst.run_duration = self._span(self.profile.run)
            self.sched.after(inst.run_duration, self._finish, inst, generation)
        self._refresh(job)

    def _finish(self, inst: Instance, generation: int) -> None:
        job = inst.task.job
        if generation != inst.generation or job.id not in self.jobs:
            return
        inst.attempts += 1
        if self.rng.random() >= inst.failure_odds:
            self._end(inst, st.SUCCEED, exit_code=0)
        else:
            code = self.rng.choice(EXIT_CODES)
            if inst.attempts <= inst.task.max_retry:
                inst.state, inst.exit_code = st.RUNNABLE, code
                inst.reason = f"Retrying after exit code {code}"
                self.fleet.release_node(inst.task.env_id, inst.node_instance_id)
                inst.node_instance_id = None
                self.sched.after(
                    self._span(self.profile.queue), self._step, inst, generation, st.STARTING
                )
            else:
                failed = (
                    st.FAILED if inst.task.failed_action == "TERMINATE" else st.FAILED_INTERRUPTED
                )
                self._end(
                    inst,
                    failed,
                    exit_code=code,
                    reason=f"Exit code {code}",
                    detail=f"{FAILURE_REASONS[code]} (exit code {code}).",
                )
        self._refresh(job)

    def _end(
        self,
        inst: Instance,
        state: str,
        *,
        exit_code: int | None,
        reason: str = "",
        detail: str = "",
    ) -> None:
        inst.state, inst.exit_code, inst.ended = state, exit_code, self.now
        inst.reason, inst.detailed_reason = reason, detail
        if state != st.FAILED_INTERRUPTED:  # an interrupted instance keeps its node
            self.fleet.release_node(inst.task.env_id, inst.node_instance_id)
            inst.node_instance_id = None
        inst.generation += 1

    # --- aggregation ---------------------------------------------------------------------
    def _refresh(self, job: Job) -> None:
        """Derive task and job states from the instances, then release what became runnable."""
        for task in job.tasks.values():
            inst_states = [inst.state for inst in task.instances]
            settled = all(s in st.ENDED for s in inst_states)
            new = st.aggregate(inst_states, settled=settled) if job.parsed else st.SUBMITTED
            if new != task.state:
                task.state = new
                task.ended = self.now if new in st.ENDED else None
        if job.parsed:
            self._release(job)
        blocked = self._blocked_tasks(job)
        settled = all(t.state in st.ENDED or t.name in blocked for t in job.tasks.values())
        new_state = (
            st.aggregate([t.state for t in job.tasks.values()], settled=settled)
            if job.parsed
            else st.SUBMITTED
        )
        self._set_job_state(job, new_state)

    @staticmethod
    def _blocked_tasks(job: Job) -> set[str]:
        """Tasks that can never run because an upstream task failed (directly or not)."""
        blocked: set[str] = set()
        changed = True
        while changed:
            changed = False
            for task in job.tasks.values():
                if task.name in blocked or task.state in st.ENDED:
                    continue
                for up in task.upstream:
                    upstream = job.tasks[up]
                    if up in blocked or upstream.state in (st.FAILED, st.FAILED_INTERRUPTED):
                        blocked.add(task.name)
                        changed = True
                        break
        return blocked

    def _set_job_state(self, job: Job, state: str) -> None:
        if state == job.state:
            return
        self.by_state[job.state].pop(job.id, None)
        self.by_state.setdefault(state, {})[job.id] = job
        job.state = state
        job.history.append((self.now, state))
        job.ended = self.now if state in st.ENDED else None
        if state in (st.FAILED, st.FAILED_INTERRUPTED):
            failed = [t.name for t in job.tasks.values() if t.state in st.ENDED - {st.SUCCEED}]
            job.state_reason = f"Task(s) failed: {', '.join(failed)}" if failed else "Terminated"
        elif state not in st.ENDED:
            job.state_reason = ""

    # --- operator actions ----------------------------------------------------------------
    def terminate_instance(self, inst: Instance) -> None:
        """TerminateTaskInstance: queued -> FAILED now, running soon.
        (https://www.tencentcloud.com/document/api/599/30489)"""
        if inst.state in (st.SUCCEED, st.FAILED):
            return
        inst.generation += 1
        reason = "Terminated by user"
        if inst.state in (st.SUBMITTED, st.PENDING, st.RUNNABLE):
            self._end(inst, st.FAILED, exit_code=None, reason=reason, detail=reason + ".")
        else:  # the CVM instance is terminated first, then the instance turns FAILED
            self.sched.after(2.0, self._terminated, inst, inst.generation)
        self._refresh(inst.task.job)

    def _terminated(self, inst: Instance, generation: int) -> None:
        if generation != inst.generation or inst.task.job.id not in self.jobs:
            return
        self._end(
            inst,
            st.FAILED,
            exit_code=137,
            reason="Terminated by user",
            detail="The compute instance was terminated by a user request.",
        )
        self._refresh(inst.task.job)

    def terminate_job(self, job: Job) -> None:
        for inst in job.instances():
            self.terminate_instance(inst)

    def retry_job(self, job: Job) -> None:
        """RetryJobs: failed instances start again, "as if they are run for the first time"."""
        for inst in job.instances():
            if inst.state in (st.FAILED, st.FAILED_INTERRUPTED):
                self.fleet.release_node(inst.task.env_id, inst.node_instance_id)
                inst.state, inst.exit_code, inst.reason, inst.detailed_reason = (
                    st.PENDING,
                    None,
                    "",
                    "",
                )
                inst.launched = inst.running = inst.ended = None
                inst.node_instance_id, inst.attempts, inst.queued = None, 0, False
                inst.failure_odds = self.profile.retry_failure_odds if inst.failure_odds else 0.0
                inst.generation += 1
        job.ended = None
        self._refresh(job)

    def delete_job(self, job: Job) -> None:
        del self.jobs[job.id]
        self.job_order.remove(job)
        self.by_state[job.state].pop(job.id, None)
