"""What task instances print and measure, derived from a seed so nothing needs storing.

Logs are the documented `data:text/plain;charset=utf-8;base64,...` values of at most 2048
decoded bytes (the tail), as DescribeTaskLogs gives them
(https://www.tencentcloud.com/document/api/599/30553). Some carry ANSI colours, some invalid
UTF-8 and some text that looks like HTML or script, because a dashboard must show all of that
safely.
Monitor series follow DescribeJobMonitorData (not in the English doc; the official Python SDK's
`tencentcloud/batch/v20170312/models.py` has it).
"""

from __future__ import annotations

import base64
import math
import random

MAX_LOG_BYTES = 2048
METRICS = (
    "CpuUsage",
    "MemUsage",
    "LanOuttraffic",
    "LanIntraffic",
    "MaxDiskUsage",
    "TargetDiskUsage",
)

_GREEN, _YELLOW, _RED, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"
_HOSTILE_LINES = (
    "<script>alert('stdout')</script>",
    '"><img src=x onerror=alert(1)>',
    "<b>bold claims</b> & entities &amp; &lt;tags&gt;",
)


def full_logs(seed: int, *, label: str, failed: bool, exit_code: int | None) -> tuple[bytes, bytes]:
    """The whole stdout and stderr an instance writes over its run (often more than 2048 B)."""
    rng = random.Random(seed)
    colour = rng.random() < 0.5
    stdout: list[bytes] = [f"starting {label}\n".encode()]
    stderr: list[bytes] = []
    steps = rng.randint(20, 90)
    for step in range(1, steps + 1):
        line = f"[{step:03d}/{steps}] processed chunk {rng.randrange(10**6):06d} in {rng.uniform(0.1, 9):.2f}s"
        if colour and step % 7 == 0:
            line = f"{_GREEN}OK{_RESET} {line}"
        stdout.append((line + "\n").encode())
        if step % 11 == 0:
            warn = f"warning: retrying read of shard {rng.randrange(64)}"
            stderr.append(((f"{_YELLOW}{warn}{_RESET}" if colour else warn) + "\n").encode())
    if rng.random() < 0.2:
        stdout.append(rng.choice(_HOSTILE_LINES).encode() + b"\n")
    if rng.random() < 0.15:
        stdout.append(b"binary marker: \xff\xfe\xfa invalid utf-8 \xc3\x28\n")
    if failed:
        message = f"error: step failed with exit code {exit_code}"
        stderr.append(
            b'Traceback (most recent call last):\n  File "main.py", line 42, in <module>\n'
            + ((f"{_RED}{message}{_RESET}" if colour else message) + "\n").encode()
        )
    else:
        stdout.append(b"done\n")
    return b"".join(stdout), b"".join(stderr)


def visible(data: bytes, fraction: float) -> bytes:
    """The part written so far (a running instance has printed `fraction` of its log)."""
    return data[: int(len(data) * max(0.0, min(1.0, fraction)))]


def encode_log(data: bytes) -> str:
    """The documented wire value: the last 2048 bytes as a base64 data URI."""
    tail = data[-MAX_LOG_BYTES:]
    return "data:text/plain;charset=utf-8;base64," + base64.b64encode(tail).decode("ascii")


def metric_value(seed: int, metric: str, t: float) -> float:
    """A smooth, plausible value of `metric` at time `t` for the instance with `seed`."""
    rng = random.Random(f"{seed}:{metric}")
    base, amplitude, period = rng.uniform(20, 60), rng.uniform(5, 30), rng.uniform(60, 600)
    wave = base + amplitude * math.sin(2 * math.pi * t / period + rng.uniform(0, 6.28))
    if metric in ("LanOuttraffic", "LanIntraffic"):
        return round(max(0.0, wave) * 10_000, 2)  # bytes/s
    return round(max(0.0, min(100.0, wave)), 2)  # percent


def period_for(span: float) -> int:
    """The series granularity grows with the range asked for (SDK: DescribeJobMonitorData)."""
    for period in (10, 60, 300, 3600):
        if span / period <= 360:
            return period
    return 86400


INSTANCE_TYPES = (
    # (zone, family, type, cpu, mem, unit price)
    ("ap-guangzhou-3", "S1", "S1.SMALL1", 1, 1, 0.10),
    ("ap-guangzhou-3", "S1", "S1.SMALL2", 1, 2, 0.14),
    ("ap-guangzhou-3", "S5", "S5.MEDIUM4", 2, 4, 0.26),
    ("ap-guangzhou-3", "S5", "S5.LARGE8", 4, 8, 0.52),
    ("ap-guangzhou-3", "GN2", "GN2.7XLARGE56", 28, 56, 9.80),
    ("ap-guangzhou-4", "S5", "S5.MEDIUM4", 2, 4, 0.26),
    ("ap-guangzhou-4", "S5", "S5.LARGE8", 4, 8, 0.52),
    ("ap-guangzhou-4", "C3", "C3.LARGE8", 4, 8, 0.60),
    ("ap-shanghai-2", "S5", "S5.MEDIUM4", 2, 4, 0.28),
    ("ap-shanghai-2", "S3", "S3.SMALL1", 1, 1, 0.18),
)

INSTANCE_CATEGORIES = (
    ("COMPUTE_3", ["C3", "CN3"]),
    ("COMPUTE_2", ["C2"]),
    ("GENERAL_2", ["S2", "S2ne", "I2", "D1", "M2"]),
    ("GENERAL_3", ["S3", "SN3ne", "S4", "I3", "M3", "M4", "S5"]),
)
