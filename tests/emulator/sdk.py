"""Calling the emulator through the official SDK, strictly: a response field the SDK's model
does not know is an error (the SDK only warns), so the emulator cannot invent fields."""

from __future__ import annotations

import json
import warnings
from typing import Any


def call(client: Any, action: str, params: dict[str, Any]) -> Any:
    """Build the SDK request model from `params`, call `action`, return the SDK response model."""
    models = __import__(client.__module__.rsplit(".", 1)[0] + ".models", fromlist=["models"])
    request = getattr(models, f"{action}Request")()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "... fileds are useless." means an unknown field
        request.from_json_string(json.dumps(params))  # ... in what the test sends
        return getattr(client, action)(request)  # ... and in what the emulator answers
