"""Load: 50 browser-like clients polling live fragments through gunicorn, 100,000 jobs cached.

gunicorn as deployed (docker-compose.yml: 3 workers), DEBUG off, on 127.0.0.1 only. Each
client has its own signed-in session, opens one page (the job list, a running job, or a
compute environment) and then polls that page's fragment as htmx does (`HX-Request`, every
5 s, 10 s for an environment), for `--seconds`. Reported: requests/s, median and p95
latency, and errors (a status other than 200/286, or no answer). Then `--burst-seconds` of
the same clients without pauses, for the headroom. Targets: no errors; polling p95 < 250 ms.

Run: .venv/bin/python bench/load.py [--jobs 100000] [--clients 50] [--seconds 120]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.filled_cache import filled_cache  # noqa: E402

OK_STATUSES = {200, 286}  # 286: htmx stops polling (the object ended)


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, error: str = "") -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            if error:
                self.errors.append(error)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "dashboard.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            **env,
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        },
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def signed_in_cookies(count: int) -> list[str]:
    """A session per client (as many browsers signing in), made directly in the database."""
    from django.conf import settings
    from django.test import Client

    from apps.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver"]
    user = User.objects.create_superuser("load")
    cookies = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    return cookies


def targets() -> list[tuple[str, float]]:
    """(page, poll interval) for the three kinds of live page a team keeps open."""
    from apps.batch.models import ComputeEnv, Job

    running = Job.objects.filter(state="RUNNING").order_by("-created_at")[0]
    env = ComputeEnv.objects.order_by("env_id")[0]
    return [("/jobs/", 5.0), (f"/jobs/{running.job_id}/", 5.0), (f"/envs/{env.env_id}/", 10.0)]


def client_loop(
    base: str,
    cookie: str,
    page: str,
    interval: float,
    until: float,
    tally: Tally,
    start_after: float,
) -> None:
    session = requests.Session()
    session.cookies.set("sessionid", cookie, domain="127.0.0.1")
    headers = {"HX-Request": "true", "HX-Current-URL": base + page}
    time.sleep(start_after)  # browsers do not poll in step
    try:
        session.get(base + page, timeout=30)  # the page itself, then its fragment
    except requests.RequestException:
        pass
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            reply = session.get(base + page, headers=headers, timeout=30)
            error = "" if reply.status_code in OK_STATUSES else f"HTTP {reply.status_code} {page}"
        except requests.RequestException as err:
            error = f"{type(err).__name__} {page}"
        elapsed = time.perf_counter() - started
        tally.add(elapsed * 1000, error)
        if interval:
            time.sleep(max(0.0, min(interval - elapsed, until - time.monotonic())))


def phase(
    base: str, cookies: list[str], pages: list[tuple[str, float]], seconds: float, polling: bool
) -> tuple[Tally, float]:
    tally = Tally()
    rng = random.Random(7)
    started = time.monotonic()
    until = started + seconds
    threads = []
    for n, cookie in enumerate(cookies):
        page, interval = pages[n % len(pages)]
        offset = rng.uniform(0, interval) if polling else 0.0
        thread = threading.Thread(
            target=client_loop,
            args=(base, cookie, page, interval if polling else 0.0, until, tally, offset),
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return tally, time.monotonic() - started


def summary(name: str, tally: Tally, seconds: float) -> dict[str, float]:
    latencies = tally.latencies_ms
    figures = {
        f"{name}_rps": len(latencies) / seconds,
        f"{name}_p50_ms": statistics.median(latencies),
        f"{name}_p95_ms": statistics.quantiles(latencies, n=20)[-1],
        f"{name}_errors": len(tally.errors),
    }
    print(
        f"  {name}: {len(latencies)} requests in {seconds:.0f} s = {figures[f'{name}_rps']:.1f}/s, "
        f"median {figures[f'{name}_p50_ms']:.0f} ms, p95 {figures[f'{name}_p95_ms']:.0f} ms, "
        f"max {max(latencies):.0f} ms, errors {len(tally.errors)} {sorted(set(tally.errors))[:5]}",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--burst-seconds", type=float, default=20)
    args = parser.parse_args()
    redis, env = filled_cache(args.jobs)
    cookies = signed_in_cookies(args.clients)
    pages = targets()
    port = free_port()
    server = start_gunicorn(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        print(
            f"{args.clients} clients polling {[p for p, _ in pages]} for {args.seconds:.0f} s",
            flush=True,
        )
        figures = summary("poll", *phase(base, cookies, pages, args.seconds, polling=True))
        print(f"{args.clients} clients without pauses for {args.burst_seconds:.0f} s", flush=True)
        figures |= summary("burst", *phase(base, cookies, pages, args.burst_seconds, polling=False))
    finally:
        server.terminate()
        server.wait(timeout=30)
        redis.stop()
    print("load " + " ".join(f"{k}={v:.1f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
