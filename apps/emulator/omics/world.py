"""The Omics world of one region: environments, volumes, tables, run groups, runs and calls.

The doc enumerates no run, run group or call status (neither the data structures,
https://cloud.tencent.com/document/api/1643/89100, nor the official SDK's docstrings list any),
so this emulator uses the values the doc shows plus the fewest additions needed for something
still moving. The vocabulary chosen:

- run (`Run.Status`, `RunStatusCount.Status`): INIT -> RUNNING -> SUCCESS | EXECUTOR_ERROR,
  and CANCELED when its run group is terminated. (Documented: SUCCESS, EXECUTOR_ERROR,
  CANCELED; added: INIT, RUNNING.)
- run group (`RunGroup.Status`): INIT -> RUNNING -> COMPLETE (every run SUCCESS) |
  COMPLETE_ERROR (any other end, a terminated group included, as the doc's example of a
  group with 30 CANCELED runs shows). (Documented: COMPLETE, COMPLETE_ERROR.)
- call (`RunMetadata.Status` from GetRunCalls): QUEUED -> RUNNING -> COMPLETE | FAILED, and
  ABORTED when the run is canceled. (Documented: COMPLETE.) GetRunStatus reports the run's
  own status (SUCCESS ...), as the doc's example does.
- environment: INITIALIZING -> RUNNING, DELETING (documented in full); volume: AVAILABLE.

A run's calls are planned when it starts; their status at any moment follows from the plan
and the clock, so only run starts and ends are events.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from apps.emulator.events import Scheduler
from apps.emulator.ids import Ids

RUN_ENDED = frozenset({"SUCCESS", "EXECUTOR_ERROR", "CANCELED"})
RETRYABLE = frozenset({"EXECUTOR_ERROR", "CANCELED"})
GROUP_ENDED = frozenset({"COMPLETE", "COMPLETE_ERROR"})
MAX_RETRY_DEPTH = 3  # FailedOperation.RetryLimitExceeded beyond this (the doc gives no value)


@dataclass
class App:
    id: str
    name: str
    type: str  # WDL | NEXTFLOW
    tasks: list[str]
    versions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(eq=False)
class Call:
    run_id: str
    parent_id: str
    name: str
    run_type: str  # Task | Workflow | Scatter
    submit: float  # offsets from the run's start
    start: float
    end: float
    fails: bool = False
    job_id: str = ""
    scatter_index: str = ""
    children: list[Call] = field(default_factory=list)


@dataclass(eq=False)
class Run:
    uuid: str
    group: RunGroup
    input: str
    created: float
    user_defined_id: str = ""
    table_row_uuid: str = ""
    status: str = "INIT"
    started: float | None = None
    ended: float | None = None
    updated: float = 0.0
    error_message: str = ""
    calls: list[Call] = field(default_factory=list)
    retry_depth: int = 0
    generation: int = 0


@dataclass(eq=False)
class RunGroup:
    id: str
    seq: int
    project_id: str
    name: str
    description: str
    env_id: str
    type: str  # WDL | NEXTFLOW
    app: App | None
    input: str
    input_type: str
    input_cos_uri: str
    option: dict[str, Any]
    nf_option: dict[str, Any]
    created: float
    table_id: str = ""
    work_dir: str = ""
    status: str = "INIT"
    started: float | None = None
    ended: float | None = None
    updated: float = 0.0
    runs: list[Run] = field(default_factory=list)
    volume_ids: list[str] = field(default_factory=list)
    git_source: dict[str, Any] | None = None
    error_message: str = ""
    access_mode: str = "PRIVATE"
    cache_clear_delay: int = 0  # hours after the run ends; 0 = never cleaned


class OmicsWorld:
    def __init__(self, region: str, *, seed: int, start: float, failure_odds: float = 0.25):
        self.region = region
        self.lock = threading.RLock()
        self.rng = random.Random(seed)
        self.ids = Ids(self.rng)
        self.sched = Scheduler(start)
        self.failure_odds = failure_odds
        # id -> name; the first is the region's default project, which an omitted or empty
        # ProjectId means (https://cloud.tencent.com/document/api/1643/89098).
        self.project_id = self.ids.words("prj")
        self.projects: dict[str, str] = {self.project_id: "default project"}
        self.environments: dict[str, dict[str, Any]] = {}
        self.volumes: dict[str, dict[str, Any]] = {}
        self.apps: dict[str, App] = {}
        self.tables: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, RunGroup] = {}
        self.runs: dict[str, Run] = {}
        self._seq = 0

    def add_project(self, name: str) -> str:
        """Another project of the region (not the default one); its id."""
        project_id = self.ids.words("prj")
        self.projects[project_id] = name
        return project_id

    @property
    def now(self) -> float:
        return self.sched.now

    def advance(self, now: float) -> None:
        self.sched.run_until(now)

    # --- submission ----------------------------------------------------------------------
    def submit_group(self, **fields: Any) -> RunGroup:
        """A run group with one run per input (a table batch) or a single run."""
        inputs: list[tuple[str, str, str]] = fields.pop("inputs")  # (input, row uuid, user id)
        retry_depth = fields.pop("retry_depth", 0)
        self._seq += 1
        group = RunGroup(
            id=self.ids.words("run"),
            seq=self._seq,
            created=self.now,
            updated=self.now,
            **{"project_id": self.project_id, **fields},
        )
        for run_input, row_uuid, user_id in inputs:
            run = Run(
                self.ids.uuid(),
                group,
                run_input,
                self.now,
                user_id,
                row_uuid,
                updated=self.now,
                retry_depth=retry_depth,
            )
            group.runs.append(run)
            self.runs[run.uuid] = run
            self.sched.after(self.rng.uniform(5, 30), self._start_run, run, run.generation)
        self.groups[group.id] = group
        return group

    def _start_run(self, run: Run, generation: int) -> None:
        if generation != run.generation or run.status != "INIT":
            return
        run.status, run.started, run.updated = "RUNNING", self.now, self.now
        fails = self.rng.random() < self.failure_odds
        run.calls, duration = self._plan_calls(run, fails)
        self._touch_group(run.group)
        self.sched.after(duration, self._end_run, run, generation, fails)

    def _plan_calls(self, run: Run, fails: bool) -> tuple[list[Call], float]:
        """Sequential calls (one a sub-workflow with two tasks of its own); the failing run
        stops at a random call."""
        rng = self.rng
        names = run.group.app.tasks if run.group.app else ["fastqc", "align", "call_variants"]
        workflow = (run.group.app.name if run.group.app else run.group.name).replace("-", "_")
        calls: list[Call] = []
        t = 0.0
        fail_at = rng.randrange(len(names) + 1) if fails else -1
        for i, name in enumerate([*names, "sub_workflow"]):
            duration = rng.uniform(10, 90)
            call = Call(
                run_id=self.ids.uuid()
                if name == "sub_workflow"
                else f"{run.uuid}-{workflow}.{name}",
                parent_id=run.uuid,
                name=name if name == "sub_workflow" else f"{workflow}.{name}",
                run_type="Workflow" if name == "sub_workflow" else "Task",
                submit=t,
                start=t + rng.uniform(1, 5),
                end=t + duration,
                fails=i == fail_at,
                job_id="" if name == "sub_workflow" else self.ids.words("plan"),
            )
            if call.run_type == "Workflow":
                child_t = call.start
                for child in ("split", "merge"):
                    span = (call.end - call.start) / 2
                    call.children.append(
                        Call(
                            run_id=f"{call.run_id}-{child}",
                            parent_id=call.run_id,
                            name=f"sub_workflow.{child}",
                            run_type="Task",
                            submit=child_t,
                            start=child_t + 1,
                            end=child_t + span,
                            fails=call.fails and child == "merge",
                            job_id=self.ids.words("plan"),
                        )
                    )
                    child_t += span
            calls.append(call)
            t = call.end
            if call.fails:
                break
        return calls, t + 2.0

    def _end_run(self, run: Run, generation: int, fails: bool) -> None:
        if generation != run.generation or run.status != "RUNNING":
            return
        run.status = "EXECUTOR_ERROR" if fails else "SUCCESS"
        if fails:
            failed = next(c for c in run.calls if c.fails)
            run.error_message = json.dumps({"error": "ExecutorError", "call": failed.name})
        run.ended = run.updated = self.now
        self._touch_group(run.group)

    def _touch_group(self, group: RunGroup) -> None:
        statuses = [run.status for run in group.runs]
        group.updated = self.now
        if group.started is None and any(s != "INIT" for s in statuses):
            group.started = self.now
        if all(s in RUN_ENDED for s in statuses):
            group.status = "COMPLETE" if all(s == "SUCCESS" for s in statuses) else "COMPLETE_ERROR"
            group.ended = group.ended or self.now
            if group.status == "COMPLETE_ERROR":
                failed = sum(1 for s in statuses if s != "SUCCESS")
                group.error_message = f"{failed} of {len(statuses)} runs did not succeed"
        elif any(s != "INIT" for s in statuses):
            group.status = "RUNNING"

    # --- operator actions ----------------------------------------------------------------
    def terminate_group(self, group: RunGroup) -> None:
        for run in group.runs:
            if run.status not in RUN_ENDED:
                run.generation += 1
                run.status, run.ended, run.updated = "CANCELED", self.now, self.now
                run.error_message = json.dumps(
                    {"error": "Canceled", "message": "terminated by user"}
                )
        self._touch_group(group)

    def retry(
        self, runs: list[Run], *, option: dict[str, Any] | None, nf_option: dict[str, Any] | None
    ) -> RunGroup:
        """RetryRuns: always a new run group holding fresh copies of the runs."""
        source = runs[0].group
        return self.submit_group(
            project_id=source.project_id,
            name=self._retry_name(source.name),
            description=source.description,
            env_id=source.env_id,
            type=source.type,
            app=source.app,
            input=source.input,
            input_type=source.input_type,
            input_cos_uri=source.input_cos_uri,
            option=option if option is not None else source.option,
            nf_option=nf_option if nf_option is not None else source.nf_option,
            table_id=source.table_id,
            work_dir=source.work_dir,
            volume_ids=source.volume_ids,
            git_source=source.git_source,
            access_mode=source.access_mode,
            cache_clear_delay=source.cache_clear_delay,
            inputs=[(r.input, r.table_row_uuid, r.user_defined_id) for r in runs],
            retry_depth=max(r.retry_depth for r in runs) + 1,
        )

    def _retry_name(self, name: str) -> str:
        """`<name>-retry-<n>`: run group names stay unique, as RunApplication requires."""
        base = name.split("-retry-")[0]
        taken = {g.name for g in self.groups.values()}
        n = 1
        while f"{base}-retry-{n}" in taken:
            n += 1
        return f"{base}-retry-{n}"

    def default_volume_ids(self, env_id: str) -> list[str]:
        """What a run uses when it names no cache volume (RunApplication VolumeIds,
        https://cloud.tencent.com/document/api/1643/89094)."""
        return [
            v["VolumeId"]
            for v in self.volumes.values()
            if v["EnvironmentId"] == env_id and v["IsDefault"]
        ]

    # --- reading calls -------------------------------------------------------------------
    def call_status(
        self, run: Run, call: Call, now: float
    ) -> tuple[str, float | None, float | None]:
        """(status, start, end) of a call at `now`, from its plan and how the run ended."""
        assert run.started is not None
        start, end = run.started + call.start, run.started + call.end
        if run.status == "CANCELED" and run.ended is not None and run.ended < end:
            if run.ended < start:
                return "ABORTED", None, run.ended
            return "ABORTED", start, run.ended
        if now < start:
            return "QUEUED", None, None
        if now < end:
            return "RUNNING", start, None
        return ("FAILED" if call.fails else "COMPLETE"), start, end

    def visible_calls(self, run: Run, calls: list[Call], now: float) -> list[Call]:
        if run.started is None:
            return []
        limit = run.ended if run.status == "CANCELED" and run.ended is not None else now
        return [c for c in calls if run.started + c.submit <= limit]
