"""`Filters` as both APIs define them: filters AND together, the values of one filter OR."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from apps.emulator.errors import ApiError

Getter = Callable[[Any], Iterable[str]]
TagsOf = Callable[[Any], list[dict[str, str]]]

MAX_FILTER_VALUES = 100


class TagValues:
    """The getter under the `tag:` key: the values of an object's tags, and, for a
    `tag:<key>` filter, the values of its tags called `<key>`."""

    def __init__(self, tags_of: TagsOf) -> None:
        self.tags_of = tags_of

    def __call__(self, obj: Any) -> list[str]:
        return [t.get("Value", "") for t in self.tags_of(obj)]

    def of_key(self, key: str) -> Getter:
        return lambda obj: [t.get("Value", "") for t in self.tags_of(obj) if t.get("Key") == key]


def tag_getters(tags_of: TagsOf) -> dict[str, Getter]:
    """`tag-key`, `tag-value`; `tag:<key>` is handled by `_getter`."""
    return {
        "tag-key": lambda obj: [t.get("Key", "") for t in tags_of(obj)],
        "tag-value": lambda obj: [t.get("Value", "") for t in tags_of(obj)],
        "tag:": TagValues(tags_of),  # the key comes from the filter name
    }


def _getter(name: str, getters: Mapping[str, Getter]) -> Getter:
    if name in getters and name != "tag:":
        return getters[name]
    tags = getters.get("tag:")
    if name.startswith("tag:") and isinstance(tags, TagValues):
        return tags.of_key(name[4:])
    raise ApiError("InvalidFilter", f"The filter `{name}` is not supported.")


def compile_filters(
    filters: list[dict[str, Any]] | None, getters: Mapping[str, Getter]
) -> Callable[[Any], bool]:
    """A predicate for the objects that match; raise InvalidFilter for an unknown name."""
    checks: list[tuple[Getter, set[str]]] = []
    for flt in filters or []:
        if "Name" not in flt or "Values" not in flt:
            raise ApiError("InvalidParameterValue.InvalidFilter", "A filter needs Name and Values.")
        if len(flt["Values"]) > MAX_FILTER_VALUES:
            raise ApiError(
                "InvalidParameterValue.LimitExceeded",
                "The number of filter parameter values exceeds the limit.",
            )
        checks.append((_getter(flt["Name"], getters), set(flt["Values"])))

    def matches(obj: Any) -> bool:
        return all(values.intersection(get(obj)) for get, values in checks)

    return matches


def filter_values(filters: list[dict[str, Any]] | None, name: str) -> set[str] | None:
    """The values of the filter called `name` (intersected if repeated), or None when absent."""
    found: set[str] | None = None
    for flt in filters or []:
        if flt.get("Name") == name:
            values = set(flt.get("Values") or [])
            found = values if found is None else found & values
    return found
