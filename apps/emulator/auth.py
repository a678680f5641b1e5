"""Verifying requests the way Tencent Cloud does.

Signature v3: https://www.tencentcloud.com/document/api/599/33212
Signature v1: https://www.tencentcloud.com/document/api/599/33213
The AuthFailure codes: https://www.tencentcloud.com/document/api/599/30483
Temporary key pairs (SecretId, SecretKey and token, as STS issues them): `TemporaryKeys`.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from apps.cloud import signing
from apps.emulator.errors import ApiError, common_error

MAX_SKEW_SECONDS = 300  # "Timestamp and server time cannot differ by more than five minutes."


def check_timestamp(raw: str | None) -> int:
    if raw is None or raw == "":
        raise common_error("missing_parameter", name="Timestamp")
    try:
        timestamp = int(raw)
    except ValueError:
        raise common_error("timestamp_type") from None
    if abs(time.time() - timestamp) > MAX_SKEW_SECONDS:
        raise common_error("signature_expire")
    return timestamp


def _secret_key(keys: Mapping[str, str], secret_id: str) -> str:
    key = keys.get(secret_id)
    if key is None:
        raise common_error("secret_id_not_found")
    return key


def _signature_failure() -> ApiError:
    return common_error("signature_failure")


def verify_tc3(
    *,
    keys: Mapping[str, str],
    authorization: str,
    headers: Mapping[str, str],
    method: str,
    query: str,
    body: bytes,
    timestamp: int,
    service: str,
) -> str:
    """Return the SecretId of a correctly signed TC3 request; raise the documented error otherwise.

    `headers` has lower-case names; the Host header is used exactly as received.
    """
    parsed = signing.parse_authorization(authorization)
    if parsed is None:
        raise common_error("invalid_authorization")
    secret_key = _secret_key(keys, parsed.secret_id)
    if "host" not in parsed.signed_headers or "content-type" not in parsed.signed_headers:
        raise common_error("signed_headers")
    if parsed.service != service:
        # The credential scope names another product: the Authorization header is not one for
        # this endpoint at all, which the cloud answers as InvalidAuthorization ("`Authorization`
        # in the request header is invalid"), before it computes any signature.
        raise common_error("credential_service", claimed=parsed.service, service=service)
    if parsed.date != signing.utc_date(timestamp):
        raise _signature_failure()
    if headers.get("x-tc-content-sha256") == signing.UNSIGNED_PAYLOAD:
        payload_hash = signing.sha256_hex(signing.UNSIGNED_PAYLOAD.encode())
    else:
        payload_hash = signing.sha256_hex(b"" if method == "GET" else body)
    scope = f"{parsed.date}/{parsed.service}/tc3_request"
    for lower_values in (True, False):
        canonical = signing.canonical_request(
            method=method,
            query=query,
            headers=headers,
            signed_headers=parsed.signed_headers,
            payload_hash=payload_hash,
            lower_values=lower_values,
        )
        expected = signing.tc3_signature(
            secret_key=secret_key,
            date=parsed.date,
            service=parsed.service,
            to_sign=signing.string_to_sign(timestamp=timestamp, scope=scope, canonical=canonical),
        )
        if hmac.compare_digest(expected, parsed.signature):
            return parsed.secret_id
    raise _signature_failure()


def verify_v1(*, keys: Mapping[str, str], params: Mapping[str, str], method: str, host: str) -> str:
    """Signature v1 (HmacSHA1 / HmacSHA256 over the sorted raw parameters)."""
    secret_id = params.get("SecretId", "")
    if not secret_id:
        raise common_error("missing_parameter", name="SecretId")
    secret_key = _secret_key(keys, secret_id)
    sign_method = params.get("SignatureMethod", "HmacSHA1")
    expected = signing.v1_signature(
        secret_key=secret_key,
        to_sign=signing.v1_string_to_sign(method=method, host=host, params=params),
        method=sign_method,
    )
    if not hmac.compare_digest(expected, params.get("Signature", "")):
        raise _signature_failure()
    return secret_id


def _token_failure(reason: str) -> ApiError:
    # The documented message ("Temporary certificate token error.", signature v3 page), with
    # the reason after it: the cloud's own messages vary, callers branch on the code.
    return ApiError("AuthFailure.TokenFailure", f"Temporary certificate token error: {reason}")


@dataclass(frozen=True)
class TemporaryKey:
    secret_key: str
    token: str
    expired_time: int  # unix seconds, by the emulator's wall clock (time.time())


class TemporaryKeys:
    """Temporary key pairs, issued as STS GetFederationToken issues them (a SecretId, a
    SecretKey, a token and when they stop working); `POST /_emulator/sts` asks for one.

    "X-TC-Token: the token used for a temporary certificate. It must be used with a temporary
    key [...] No token is required for a long-term key."
    (https://www.tencentcloud.com/document/api/599/33212)
    """

    def __init__(self) -> None:
        self._keys: dict[str, TemporaryKey] = {}
        self._lock = threading.Lock()

    def issue(self, duration: int) -> dict[str, Any]:
        """A new pair valid for `duration` seconds (0 or less: already expired, for tests)."""
        secret_id = "AKID" + secrets.token_hex(16)
        key = TemporaryKey(
            secrets.token_hex(16), secrets.token_urlsafe(48), int(time.time()) + duration
        )
        with self._lock:
            self._keys[secret_id] = key
        expiration = datetime.fromtimestamp(key.expired_time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "SecretId": secret_id,
            "SecretKey": key.secret_key,
            "Token": key.token,
            "ExpiredTime": key.expired_time,
            "Expiration": expiration,
        }

    def secret_keys(self) -> dict[str, str]:
        """SecretId -> SecretKey of every pair issued, expired ones too: a request signed with
        an expired pair is refused for its token, not for an unknown SecretId."""
        with self._lock:
            return {secret_id: key.secret_key for secret_id, key in self._keys.items()}

    def check_token(self, secret_id: str, token: str) -> None:
        """Refuse a request whose token does not belong with its (verified) SecretId: a
        temporary pair without its exact token or past its expiry, a long-term one with any."""
        with self._lock:
            key = self._keys.get(secret_id)
        if key is None:
            if token:
                raise _token_failure("a long-term key takes no token.")
            return
        if not hmac.compare_digest(token.encode(), key.token.encode()):
            raise _token_failure("the token is missing or not the one issued with this key.")
        if time.time() >= key.expired_time:
            raise _token_failure("the token has expired.")
