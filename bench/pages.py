"""Server time of the busiest pages with 100,000 jobs (and their tasks and instances) cached.

Fills a fresh database (SQLite by default, or DATABASE_URL) through bulk inserts, then times
the job list page and its HTMX fragment, a job's page and the overview with Django's test
client in this process (server time, no network): median and p95 over `--calls` requests,
and the size of each fragment. Targets: p95 under 100 ms each, fragments under 30 KB.
Run: .venv/bin/python bench/pages.py [--jobs 100000] [--calls 60]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.filled_cache import filled_cache  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    redis, _ = filled_cache(args.jobs)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    from apps.accounts.models import User

    # Pages need a sign-in; force_login needs no password.
    client.force_login(User.objects.create_superuser("bench"))
    job_id = f"job-{args.jobs // 2:08d}"
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "list": ("/jobs/", {}),
        "fragment": ("/jobs/", {"HTTP_HX_REQUEST": "true"}),
        "detail": (f"/jobs/{job_id}/", {}),
        "overview": ("/", {}),
    }
    p95s, sizes = {}, {}
    for name, (url, headers) in pages.items():
        client.get(url, **headers)  # warm caches
        times = []
        for _ in range(args.calls):
            t0 = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in (200, 286), (url, response.status_code)
        p95s[name] = statistics.quantiles(times, n=20)[-1]
        sizes[name] = len(response.content) / 1024
        print(
            f"  {name:<9} median={statistics.median(times):6.1f} ms  p95={p95s[name]:6.1f} ms  "
            f"size={sizes[name]:.1f} KB",
            flush=True,
        )
    redis.stop()
    print(
        f"pages p95_ms list={p95s['list']:.0f} fragment={p95s['fragment']:.0f} detail={p95s['detail']:.0f} "
        f"overview={p95s['overview']:.0f} max_fragment_kb={sizes['fragment']:.1f}"
    )


if __name__ == "__main__":
    main()
