"""Declared parameters of each action, and their validation and coercion.

A spec is one of: "str", "int", "float", "bool", "obj" (any JSON object, checked no deeper),
a one-element list `[spec]` (an array of spec), or a dict `{name: spec}` (a structure).
JSON bodies must carry the documented types; GET and form requests carry strings, which are
coerced by the spec (`Name.N` and dotted names, as in the GET examples of the action pages and
https://www.tencentcloud.com/document/api/599/33213).
"""

from __future__ import annotations

from typing import Any

from apps.emulator.errors import ApiError, common_error

Spec = Any

FILTER: Spec = {"Name": "str", "Values": ["str"]}
TAG: Spec = {"Key": "str", "Value": "str"}

_TYPE_NAMES = {
    "str": "String",
    "int": "Integer",
    "float": "Float",
    "bool": "Boolean",
    "obj": "Object",
}


def _type_name(spec: Spec) -> str:
    if isinstance(spec, list):
        return f"Array of {_type_name(spec[0])}"
    if isinstance(spec, dict):
        return "Object"
    return _TYPE_NAMES[spec]


def _invalid(path: str, spec: Spec) -> ApiError:
    return common_error("parameter_type", name=path, type=_type_name(spec))


def coerce(value: Any, spec: Spec, path: str, *, from_strings: bool) -> Any:
    """Check `value` against `spec`; convert strings when the request came flattened."""
    if isinstance(spec, list):
        if isinstance(value, dict) and from_strings and all(k.isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if not isinstance(value, list):
            raise _invalid(path, spec)
        return [
            coerce(item, spec[0], f"{path}.{i}", from_strings=from_strings)
            for i, item in enumerate(value)
        ]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise _invalid(path, spec)
        out = {}
        for key, item in value.items():
            if key not in spec:
                raise common_error("unknown_parameter", name=f"{path}.{key}")
            out[key] = coerce(item, spec[key], f"{path}.{key}", from_strings=from_strings)
        return out
    if spec == "obj":
        if not isinstance(value, dict):
            raise _invalid(path, spec)
        return value
    return _scalar(value, spec, path, from_strings=from_strings)


def _scalar(value: Any, spec: str, path: str, *, from_strings: bool) -> Any:
    if from_strings and isinstance(value, str):
        try:
            if spec == "int":
                return int(value)
            if spec == "float":
                return float(value)
            if spec == "bool":
                lowered = value.lower()
                if lowered in {"true", "false"}:
                    return lowered == "true"
                raise ValueError(value)
        except ValueError:
            raise _invalid(path, spec) from None
        return value
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
    }[spec]
    if not ok:
        raise _invalid(path, spec)
    return value


def validate(
    params: dict[str, Any],
    spec: dict[str, Spec],
    required: tuple[str, ...],
    *,
    from_strings: bool,
) -> dict[str, Any]:
    """Return the coerced parameters or raise the documented error for the first problem."""
    for name in params:
        if name not in spec:
            raise common_error("unknown_parameter", name=name)
    for name in required:
        if name not in params:
            raise common_error("missing_parameter", name=name)
    return {
        name: coerce(value, spec[name], name, from_strings=from_strings)
        for name, value in params.items()
    }


def unflatten(flat: dict[str, str]) -> dict[str, Any]:
    """`Filters.0.Values.1=x` -> {"Filters": {"0": {"Values": {"1": "x"}}}}; lists are made by coerce."""
    root: dict[str, Any] = {}
    for key, value in flat.items():
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise common_error("parameter_conflict", name=key)
            node = child
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def page(params: dict[str, Any], *, default: int, maximum: int) -> tuple[int, int]:
    """Offset and Limit with the documented default and maximum."""
    offset = params.get("Offset", 0)
    limit = params.get("Limit", default)
    if offset < 0 or limit < 0:
        raise ApiError("InvalidParameterValue.Negative", "Offset and Limit must not be negative.")
    if limit > maximum:
        raise ApiError("InvalidParameterValue", f"Limit must not exceed {maximum}.")
    return offset, limit
