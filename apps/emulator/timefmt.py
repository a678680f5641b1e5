"""The two time formats on the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

_CST = timezone(timedelta(hours=8))


def batch_time(ts: float | None) -> str | None:
    """`2018-03-08T11:48:43Z`, UTC, as the examples print it (e.g.
    https://www.tencentcloud.com/document/api/599/30517)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def omics_time(ts: float | None) -> str:
    """`2023-03-15T20:53:13+08:00`, Timestamp ISO8601; "" for a time not reached yet.
    (https://cloud.tencent.com/document/api/1643/89100#ExecutionTime)"""
    if ts is None:
        return ""
    return datetime.fromtimestamp(ts, _CST).isoformat(timespec="seconds")


def omics_plain_time(ts: float) -> str:
    """`2023-03-16 16:44:24`, used by Table.CreateTime and ApplicationVersion.CreateTime."""
    return datetime.fromtimestamp(ts, _CST).strftime("%Y-%m-%d %H:%M:%S")


def parse_batch_time(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
