"""Tolerant reading of API records, shared by every product's api.py: a missing or malformed
field becomes its empty value instead of an error, so one odd record never stops a sync.

A record type is a frozen dataclass deriving from `Record` whose fields say where in the
answer they come from (`wire("JobName")`); `from_api` reads each by its type. With the cache's
rows derived from the same fields (`apps.sync.upsert.row_of`), a new cached field is one line
here and one column on the model.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import field, fields
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar, Self

Reader = Callable[[Any], Any]


def text(record: dict[str, Any], name: str) -> str:
    return text_of(record.get(name))


def integer(record: dict[str, Any], name: str) -> int | None:
    return integer_of(record.get(name))


def text_of(value: Any) -> str:
    return "" if value is None else str(value)


def integer_of(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def boolean_of(value: Any) -> bool:
    if isinstance(value, str):  # filter-style "true", should a field ever come back so
        return value.strip().lower() == "true"
    return bool(value)


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


# --- record types ----------------------------------------------------------------------------
def wire(*paths: str, read: Reader | None = None, default: Any = None) -> Any:
    """A record field from the answer's `paths` (`"Placement.Zone"` reads into a structure),
    the first that is not empty; read by the field's type unless `read` says how; `default`
    when every path is empty."""
    return field(metadata={"paths": paths, "read": read, "default": default})


class Record:
    """A typed view of one API structure. The `raw` field, if the type has one, keeps the
    whole structure as it came (less `RAW_WITHOUT`), so a field nobody reads yet is not lost."""

    NAIVE_TZ: ClassVar[tzinfo] = UTC  # for times the product sends without an offset
    RAW_WITHOUT: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_api(cls, r: dict[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for name, paths, read, default in _plan(cls):
            if name == "raw":
                values[name] = {k: v for k, v in r.items() if k not in cls.RAW_WITHOUT}
                continue
            value = None
            for path in paths:
                value = read(_at(r, path))
                if value:
                    break
            values[name] = default if default is not None and not value else value
        return cls(**values)


FieldPlan = tuple[str, tuple[str, ...], Reader, Any]  # (field, paths, reader, default)
_PLANS: dict[type, list[FieldPlan]] = {}


def _plan(cls: type[Record]) -> list[FieldPlan]:
    """How to read each field of a record type, worked out once per type."""
    if cls not in _PLANS:
        _PLANS[cls] = _make_plan(cls)
    return _PLANS[cls]


def _make_plan(cls: type[Record]) -> list[FieldPlan]:
    hints = typing.get_type_hints(cls)
    plan: list[FieldPlan] = []
    for f in fields(cls):  # type: ignore[arg-type]  # every Record subclass is a dataclass
        if f.name == "raw":
            plan.append((f.name, (), as_dict, None))
            continue
        if "paths" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} does not say where it comes from (wire)")
        read = f.metadata["read"] or _reader(hints[f.name], cls.NAIVE_TZ)
        plan.append((f.name, f.metadata["paths"], read, f.metadata["default"]))
    return plan


def _at(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _reader(hint: Any, naive: tzinfo) -> Reader:
    """How a field of type `hint` is read: never raises, the empty value for anything odd."""
    if hint is str:
        return text_of
    if hint is int:
        return lambda value: integer_of(value) or 0
    if hint is bool:
        return boolean_of
    if hint == int | None:
        return integer_of
    if hint == datetime | None:
        return lambda value: parse_time(value, naive=naive)
    if hint is dict or typing.get_origin(hint) is dict:
        return as_dict
    if hint is list or typing.get_origin(hint) is list:
        return as_list
    raise TypeError(f"no reader for {hint}: give wire() a `read`")
