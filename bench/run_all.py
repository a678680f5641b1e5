"""`make bench`: run every benchmark in bench/, then write bench/RESULTS.md — each figure, its
target, whether it was met, and the machine it ran on. Exits non-zero if a script fails or a
target is missed.

Each script ends by printing one line `<name> key=value key=value ...`; that line is what is
read here (bench/freshness.py prints two planners; its last line is the smart one).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["emulator_describe_jobs.py", "limiter.py", "pages.py", "load.py", "freshness.py"]

Check = tuple[str, Callable[[dict[str, float]], bool]]
TARGETS: dict[str, dict[str, Check]] = {
    "describe_jobs": {
        "median_ms": ("median < 50 ms at 50,000 jobs", lambda v: v["median_ms"] < 50)
    },
    "limiter": {
        "acquire_us": ("median well under 1 ms", lambda v: v["acquire_us"] < 1000),
        "four_proc_limit_errors": ("0", lambda v: v["four_proc_limit_errors"] == 0),
        "DescribeJobs_ratio": ("≥ 0.90 of the limit", lambda v: v["DescribeJobs_ratio"] >= 0.9),
        "DescribeTaskLogs_ratio": (
            "≥ 0.90 of the limit",
            lambda v: v["DescribeTaskLogs_ratio"] >= 0.9,
        ),
        "adaptive_last_error_s": (
            "errors stop within a few seconds",
            lambda v: v["adaptive_last_error_s"] <= 10,
        ),
        "adaptive_settled_ratio": (
            "settles near what is left",
            lambda v: 0.8 <= v["adaptive_settled_ratio"] <= 1.2,
        ),
    },
    "pages": {
        "list": ("p95 < 100 ms", lambda v: v["list"] < 100),
        "fragment": ("p95 < 100 ms", lambda v: v["fragment"] < 100),
        "detail": ("p95 < 100 ms", lambda v: v["detail"] < 100),
        "overview": ("p95 < 100 ms", lambda v: v["overview"] < 100),
        "max_fragment_kb": ("< 30 KB", lambda v: v["max_fragment_kb"] < 30),
    },
    "load": {
        "poll_rps": ("50 clients polling (reported)", lambda v: v["poll_rps"] > 0),
        "poll_p95_ms": ("p95 < 250 ms", lambda v: v["poll_p95_ms"] < 250),
        "poll_errors": ("0", lambda v: v["poll_errors"] == 0),
        "burst_rps": ("headroom (reported)", lambda v: v["burst_rps"] > 0),
        "burst_p95_ms": ("reported", lambda v: v["burst_p95_ms"] > 0),
        "burst_errors": ("0", lambda v: v["burst_errors"] == 0),
    },
    "freshness": {
        "p95": ("≤ 1.5 × floor", lambda v: v["p95"] <= 1.5 * v["floor"]),
        "limit_errors": ("0", lambda v: v["limit_errors"] == 0),
    },
}


def parse(line: str) -> tuple[str, dict[str, float]]:
    name, *pairs = line.split()
    values = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            values[key] = float(value)
        except ValueError:
            continue
    return name, values


def machine() -> str:
    memory = ""
    try:
        kb = int(
            next(line for line in open("/proc/meminfo") if line.startswith("MemTotal")).split()[1]
        )
        memory = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.node()}: {platform.machine()}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def main() -> int:
    rows, failures = [], 0
    for script in SCRIPTS:
        print(f"== {script}", flush=True)
        result = subprocess.run(
            [sys.executable, str(HERE / script)], capture_output=True, text=True, check=False
        )
        print(result.stdout, end="", flush=True)
        if result.returncode:
            print(result.stderr[-3000:], file=sys.stderr)
            rows.append((script, "(failed to run)", "", "", "✗"))
            failures += 1
            continue
        lines = result.stdout.strip().splitlines()
        name, values = parse(lines[-1])
        extra = [ln for ln in lines if ln.startswith("naive:")]
        for key, (target, check) in TARGETS.get(name, {}).items():
            met = key in values and check(values)
            failures += not met
            rows.append(
                (script, key, f"{values.get(key, float('nan')):g}", target, "✓" if met else "✗")
            )
        for line in extra:
            rows.append(
                (script, "naive planner", line.removeprefix("naive: "), "for comparison", "")
            )
    table = "\n".join(f"| {a} | {b} | {c} | {d} | {e} |" for a, b, c, d, e in rows)
    (HERE / "RESULTS.md").write_text(
        f"# Benchmark results\n\nWritten by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.\n\n"
        f"Machine: {machine()}.\n\n| script | figure | value | target | met |\n|---|---|---|---|---|\n{table}\n"
    )
    print(f"wrote {HERE / 'RESULTS.md'}: {len(rows)} figures, {failures} missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
