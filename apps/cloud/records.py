"""Tolerant reading of API records, shared by every product's api.py: a missing or malformed
field becomes its empty value instead of an error, so one odd record never stops a sync."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any


def text(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value)


def integer(record: dict[str, Any], name: str) -> int | None:
    value = record.get(name)
    if isinstance(value, bool):
        return None
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def parse_time(value: Any, *, naive: tzinfo = UTC) -> datetime | None:
    """ISO 8601 (`2018-03-08T11:48:43Z`, `2023-03-15T20:53:13+08:00`); a time without an offset
    is read in `naive`; "" (not reached yet) or anything else is None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=naive)


def as_dict(value: Any) -> dict[str, Any]:
    """A structure field: a dict, or {} for anything else the cloud might send instead."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """An array field: a list, or [] for anything else."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    """An array of structures: its dict elements only."""
    return [item for item in as_list(value) if isinstance(item, dict)]
