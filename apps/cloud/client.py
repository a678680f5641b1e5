"""One signed call to a Tencent Cloud API: sign, send, parse, raise a typed error.

Written on `requests`; the official SDK is a test oracle only. Frequency limits and retries
are layered on top of `call` (see throttle.py when it exists); this function makes exactly one
HTTP request.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from apps.cloud import signing
from apps.cloud.errors import CloudError, Unavailable, error_for

VERSIONS = {"batch": "2017-03-12", "omics": "2022-11-28"}
CONTENT_TYPE = "application/json"


@dataclass(frozen=True)
class Credentials:
    secret_id: str
    secret_key: str = field(repr=False)  # never in a repr, a log line or a page
    token: str = field(default="", repr=False)


def endpoint_for(service: str, region: str, override: str = "") -> tuple[str, str]:
    """(URL to post to, Host header) — the override (the emulator) or the regional domain."""
    if override:
        url = override if "://" in override else f"https://{override}"
        return url.rstrip("/") + "/", url.split("://", 1)[1].rstrip("/")
    host = f"{service}.{region}.tencentcloudapi.com" if region else f"{service}.tencentcloudapi.com"
    return f"https://{host}/", host


def call(
    *,
    credentials: Credentials,
    service: str,
    action: str,
    region: str,
    params: dict[str, Any],
    endpoint: str = "",
    session: requests.Session | None = None,
    timeout: tuple[float, float] = (3.0, 10.0),
) -> dict[str, Any]:
    """The `Response` object of one call, without its RequestId wrapper removed."""
    url, host = endpoint_for(service, region, endpoint)
    body = json.dumps(params, separators=(",", ":")).encode("utf-8")
    timestamp = int(time.time())
    headers = {
        "Authorization": signing.sign_tc3(
            secret_id=credentials.secret_id,
            secret_key=credentials.secret_key,
            service=service,
            host=host,
            content_type=CONTENT_TYPE,
            timestamp=timestamp,
            payload=body,
        ),
        "Content-Type": CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": VERSIONS[service],
        "X-TC-Timestamp": str(timestamp),
    }
    if region:
        headers["X-TC-Region"] = region
    if credentials.token:
        headers["X-TC-Token"] = credentials.token
    try:
        reply = (session or requests).post(url, data=body, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise Unavailable("Timeout", f"{action} timed out") from None
    except requests.RequestException as err:
        raise Unavailable("ConnectionError", f"{action}: {type(err).__name__}") from None
    return parse(reply.status_code, reply.content, action)


def parse(status: int, content: bytes, action: str) -> dict[str, Any]:
    """The `Response` object, or the typed error for whatever came back instead."""
    if status >= 500:
        raise Unavailable(f"HTTP{status}", f"{action}: HTTP {status} from the endpoint")
    try:
        response = json.loads(content)["Response"]
        if not isinstance(response, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise Unavailable(
            "MalformedResponse", f"{action}: the body is not an API envelope"
        ) from None
    error = response.get("Error")
    if error:
        raise error_for(str(error.get("Code", "")), str(error.get("Message", "")),
                        str(response.get("RequestId", "")))  # fmt: skip
    if status != 200:
        raise CloudError(f"HTTP{status}", f"{action}: unexpected HTTP {status}")
    return response
