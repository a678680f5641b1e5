"""Accounts, and many rows fast (bulk inserts), for query-count bounds and bench/pages.py."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from apps.batch.models import ComputeEnv, ComputeNode, Job, Task, TaskInstance
from apps.cloud.models import CloudAccount
from apps.cloud.services import account_create
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator

REGION = "ap-guangzhou"

STATES = ["SUCCEED"] * 6 + [
    "FAILED",
    "RUNNING",
    "RUNNABLE",
    "PENDING",
    "FAILED_INTERRUPTED",
    "STARTING",
]


def account(name: str = "bulk") -> CloudAccount:
    return account_create(
        name=name,
        secret_id="AKIDbulk",
        secret_key="bulk-secret-key-0000000000000000",
        regions=[REGION],
    )


def emulator_account(
    emulator: Emulator, *, name: str = "emulator", budget_share: float = 1.0
) -> CloudAccount:
    """An account of `emulator` (the demo keys) in one region, with `budget_share` of the
    documented limits. Tests take it as the `emulator_account` fixture (tests/conftest.py)."""
    return account_create(
        name=name,
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=[REGION],
        budget_share=budget_share,
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )


def jobs(
    acct: CloudAccount,
    count: int,
    *,
    tasks: int = 2,
    instances: int = 2,
    seed: int = 1,
    batch: int = 5000,
) -> None:
    """`count` jobs with `tasks` tasks of `instances` instances each, states mixed."""
    rng = random.Random(seed)
    now = timezone.now()
    for start in range(0, count, batch):
        job_rows = []
        for n in range(start, min(count, start + batch)):
            state = rng.choice(STATES)
            created = now - timedelta(seconds=(count - n) * 7)
            job_rows.append(
                Job(
                    account=acct,
                    region=REGION,
                    job_id=f"job-{n:08d}",
                    name=f"align-sample-{n % 997:03d}",
                    state=state,
                    priority=n % 10,
                    zone="ap-guangzhou-3",
                    created_at=created,
                    ended_at=created + timedelta(minutes=5)
                    if state in ("SUCCEED", "FAILED")
                    else None,
                    tags=[{"Key": "team", "Value": "genomics"}],
                    task_metrics={
                        "SucceedCount": tasks if state == "SUCCEED" else 0,
                        "RunningCount": 0,
                    },
                    listed_at=now,
                    synced_at=now,
                )
            )
        Job.objects.bulk_create(job_rows, batch_size=1000)
        saved = Job.objects.filter(account=acct, job_id__in=[j.job_id for j in job_rows])
        task_rows = [
            Task(
                job=j,
                name=f"t{t}",
                state=j.state,
                created_at=j.created_at,
                upstream=[f"t{t - 1}"] if t else [],
            )
            for j in saved
            for t in range(tasks)
        ]
        Task.objects.bulk_create(task_rows, batch_size=2000)
        task_ids = Task.objects.filter(job__in=saved).values_list("pk", "state", "created_at")
        TaskInstance.objects.bulk_create(
            [
                TaskInstance(task_id=pk, index=i, state=state, created_at=created)
                for pk, state, created in task_ids
                for i in range(instances)
            ],
            batch_size=5000,
        )


def envs(acct: CloudAccount, count: int = 3, nodes: int = 20) -> None:
    now = timezone.now()
    for e in range(count):
        env = ComputeEnv.objects.create(
            account=acct,
            region=REGION,
            env_id=f"env-{e:08d}",
            name=f"env {e}",
            desired_count=nodes,
            node_metrics={"RunningCount": nodes},
            synced_at=now,
        )
        ComputeNode.objects.bulk_create(
            ComputeNode(
                account=acct,
                region=REGION,
                env=env,
                node_id=f"node-{e:02d}{n:06d}",
                instance_id=f"ins-{e:02d}{n:06d}",
                state="RUNNING",
                synced_at=now,
            )
            for n in range(nodes)
        )
