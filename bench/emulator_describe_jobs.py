"""How fast the emulator answers DescribeJobs with 50,000 jobs (target: median under 50 ms).

Builds the `scale` scenario (49,000 finished + 1,000 active jobs), serves it on 127.0.0.1 with
the limits off, and times signed DescribeJobs round trips through `apps.cloud.client`: the
newest page, a page filtered by state, a deep page, and a name filter (a full scan).
Run: .venv/bin/python bench/emulator_describe_jobs.py [--jobs 50000] [--calls 200]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import requests

from apps.cloud import client
from apps.emulator.factory import make_emulator
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY

QUERIES: dict[str, dict[str, Any]] = {
    "newest page": {"Limit": 100},
    "state filter": {"Limit": 100, "Filters": [{"Name": "job-state", "Values": ["SUCCEED"]}]},
    "deep page": {"Limit": 100, "Offset": 40_000},
    "name filter (scan)": {
        "Limit": 100,
        "Filters": [{"Name": "job-name", "Values": ["qc-report-007"]}],
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50_000)
    parser.add_argument("--calls", type=int, default=200, help="calls per query kind")
    args = parser.parse_args()
    started = time.perf_counter()
    active = min(1_000, args.jobs)
    emulator = make_emulator(
        "scale", seed=1, limits_enabled=False, finished=args.jobs - active, active=active
    )
    emulator.serve("127.0.0.1", 0)
    print(f"built {args.jobs} jobs in {time.perf_counter() - started:.1f} s")
    credentials = client.Credentials(DEMO_SECRET_ID, DEMO_SECRET_KEY)
    session = requests.Session()
    medians = {}
    try:
        for label, params in QUERIES.items():
            times = []
            for _ in range(args.calls):
                t0 = time.perf_counter()
                response = client.call(
                    credentials=credentials,
                    service="batch",
                    action="DescribeJobs",
                    region="ap-guangzhou",
                    params=params,
                    endpoint=f"http://127.0.0.1:{emulator.port}",
                    session=session,
                )
                times.append((time.perf_counter() - t0) * 1000)
            total = response["TotalCount"]
            medians[label] = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(
                f"  {label:<20} total={total:<6} median={medians[label]:.1f} ms  p95={p95:.1f} ms"
            )
    finally:
        emulator.stop()
    print(
        f"describe_jobs jobs={args.jobs} median_ms={medians['newest page']:.1f} "
        f"state_filter_median_ms={medians['state filter']:.1f}"
    )


if __name__ == "__main__":
    main()
