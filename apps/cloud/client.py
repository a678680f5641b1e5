"""One signed call to a Tencent Cloud API: sign, send, parse, raise a typed error.

Written on `requests`; the official SDK is a test oracle only. Frequency limits and retries
are layered on top of `call` (the gateway); this function makes exactly one HTTP request, and
gives up on it after the connect + read timeouts in total, however slowly the answer trickles.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

from apps.cloud import signing
from apps.cloud.endpoints import api_host, checked_endpoint
from apps.cloud.errors import AnswerLost, CloudError, Unavailable, error_for

VERSIONS = {"batch": "2017-03-12", "omics": "2022-11-28"}
CONTENT_TYPE = "application/json"
# No documented answer comes near this (a page of 100 jobs is ~100 KB, 10 logs a few MB): a
# bigger body is a broken or hostile endpoint, refused before it fills a worker's memory.
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Credentials:
    secret_id: str
    secret_key: str = field(repr=False)  # never in a repr, a log line or a page
    token: str = field(default="", repr=False)


def endpoint_for(service: str, region: str, override: str = "") -> tuple[str, str]:
    """(URL to post to, Host header) — the override (the emulator) or the regional domain;
    EndpointRefused when either would lead anywhere else."""
    if override:
        url = checked_endpoint(override)
        return url + "/", url.split("://", 1)[1]
    host = api_host(service, region)
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
    language: str = "",
) -> dict[str, Any]:
    """The `Response` object of one call, without its RequestId wrapper removed. `language`
    (zh-CN or en-US, apps/cloud/language.py) is the language of the cloud's messages; without
    it the cloud picks (https://cloud.tencent.com/document/api/1643/89104)."""
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
    if language:
        headers["X-TC-Language"] = language  # not signed: TC3 signs content-type and host
    deadline = time.monotonic() + sum(timeout)
    try:
        with (session or requests).post(
            url, data=body, headers=headers, timeout=timeout, stream=True
        ) as reply:
            content = _read_body(reply, deadline, action)
    except requests.RequestException as err:
        if _never_connected(err):
            code = "ConnectTimeout" if isinstance(err, requests.Timeout) else "ConnectionError"
            raise Unavailable(code, f"{action}: could not connect ({type(err).__name__})") from None
        raise _lost(err, action) from None
    except (urllib3.exceptions.HTTPError, OSError) as err:  # while reading the body
        raise _lost(err, action) from None
    return parse(reply.status_code, content, action)


def _never_connected(err: requests.RequestException) -> bool:
    """Whether the request certainly never reached the endpoint (refused, unresolvable, no
    connection in time): only then is a write known not to have happened."""
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = getattr(err.args[0], "reason", None) if err.args else None
    return isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError
    )


def _lost(err: Exception, action: str) -> AnswerLost:
    if isinstance(err, requests.Timeout | urllib3.exceptions.TimeoutError):
        return AnswerLost("Timeout", f"{action}: no answer in time")
    return AnswerLost(
        "ConnectionError",
        f"{action}: the connection broke before the answer ({type(err).__name__})",
    )


def _read_body(reply: requests.Response, deadline: float, action: str) -> bytes:
    """The whole body, by the deadline and within MAX_BODY_BYTES. The read timeout alone bounds
    only the pause between two bytes: an endpoint trickling a byte a second would hold the
    worker for ever."""
    chunks, size = [], 0
    # read1: whatever one read brings (iter_content would wait to fill its chunk, past the
    # deadline, on a trickle).
    while chunk := reply.raw.read1(64 * 1024, decode_content=True):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise AnswerLost(
                "ResponseTooLarge", f"{action}: the answer exceeds {MAX_BODY_BYTES} bytes"
            )
        if time.monotonic() > deadline:
            raise AnswerLost("Timeout", f"{action}: the answer was not complete in time")
        chunks.append(chunk)
    return b"".join(chunks)


def parse(status: int, content: bytes, action: str) -> dict[str, Any]:
    """The `Response` object, or the typed error for whatever came back instead."""
    if status >= 500:
        raise AnswerLost(f"HTTP{status}", f"{action}: HTTP {status} from the endpoint")
    try:
        response = json.loads(content)["Response"]
        if not isinstance(response, dict):
            raise TypeError
        if b"\\u0000" in content:
            response = _without_nul(response)
    except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: absurd nesting
        raise AnswerLost(
            "MalformedResponse", f"{action}: the body is not an API envelope"
        ) from None
    error = response.get("Error")
    if error:
        raise error_for(
            str(error.get("Code", "")),
            str(error.get("Message", "")),
            str(response.get("RequestId", "")),
        )
    if status != 200:
        raise CloudError(f"HTTP{status}", f"{action}: unexpected HTTP {status}")
    return response


def _without_nul(value: Any) -> Any:
    """`value` with every NUL in its strings replaced by U+FFFD: PostgreSQL stores no NUL in a
    text or jsonb column, so one such character from the cloud would fail the whole batch's
    write, again on every step."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value
