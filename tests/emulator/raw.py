"""Hand-made requests to the emulator, for what an SDK would never send (bad signatures,
unknown parameters, odd methods)."""

from __future__ import annotations

import json
import time
from typing import Any

import requests

from apps.cloud import signing
from apps.emulator.server import DEMO_SECRET_ID, DEMO_SECRET_KEY, Emulator

VERSIONS = {"batch": "2017-03-12", "omics": "2022-11-28"}


def post(
    emulator: Emulator,
    action: str,
    params: dict[str, Any] | None = None,
    *,
    service: str = "batch",
    region: str | None = "ap-guangzhou",
    secret_id: str = DEMO_SECRET_ID,
    secret_key: str = DEMO_SECRET_KEY,
    timestamp: int | None = None,
    version: str | None = None,
    host: str | None = None,
    headers: dict[str, str] | None = None,
    sign: bool = True,
) -> requests.Response:
    """A TC3-signed JSON POST, with every part overridable."""
    body = json.dumps(params or {}).encode()
    ts = int(time.time()) if timestamp is None else timestamp
    host = host or f"127.0.0.1:{emulator.port}"
    sent = {
        "Content-Type": "application/json",
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version if version is not None else VERSIONS[service],
        "X-TC-Timestamp": str(ts),
    }
    if region:
        sent["X-TC-Region"] = region
    if sign:
        sent["Authorization"] = signing.sign_tc3(
            secret_id=secret_id,
            secret_key=secret_key,
            service=service,
            host=host,
            content_type="application/json",
            timestamp=ts,
            payload=body,
        )
    sent.update(headers or {})
    return requests.post(f"http://127.0.0.1:{emulator.port}/", data=body, headers=sent, timeout=10)


def error_code(reply: requests.Response) -> str | None:
    error = reply.json()["Response"].get("Error")
    return error["Code"] if error else None
