"""TC3-HMAC-SHA256 and v1 (HmacSHA1/HmacSHA256) signatures as pure functions.

Reference: signature v3, TC3-HMAC-SHA256 (https://www.tencentcloud.com/document/api/599/33212) and v1 (https://www.tencentcloud.com/document/api/599/33213);
Omics signs the same way (https://cloud.tencent.com/document/api/1643/89104).
Both the client (signing) and the emulator (verifying) use these, so the two cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

ALGORITHM = "TC3-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def utc_date(timestamp: int) -> str:
    """The credential-scope date: the UTC day of the timestamp (never the local one)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def canonical_request(
    *,
    method: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: list[str],
    payload_hash: str,
    lower_values: bool = True,
) -> str:
    """Step 1. `headers` maps lower-case names to values as sent; names come from `signed_headers`.

    The doc lower-cases header values; some clients sign them as sent, so a verifier may ask
    for `lower_values=False` as a second try.
    """

    def value(name: str) -> str:
        raw = headers.get(name, "").strip()
        return raw.lower() if lower_values else raw

    canonical_headers = "".join(f"{name}:{value(name)}\n" for name in signed_headers)
    return "\n".join(
        [method.upper(), "/", query, canonical_headers, ";".join(signed_headers), payload_hash]
    )


def string_to_sign(*, timestamp: int, scope: str, canonical: str) -> str:
    """Step 2."""
    return f"{ALGORITHM}\n{timestamp}\n{scope}\n{sha256_hex(canonical.encode('utf-8'))}"


def tc3_signature(*, secret_key: str, date: str, service: str, to_sign: str) -> str:
    """Step 3: the derived signing key, then the hex signature."""
    secret_date = _hmac(("TC3" + secret_key).encode("utf-8"), date)
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    return hmac.new(secret_signing, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(
    *, secret_id: str, date: str, service: str, signed_headers: list[str], signature: str
) -> str:
    """Step 4."""
    return (
        f"{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, "
        f"SignedHeaders={';'.join(signed_headers)}, Signature={signature}"
    )


def sign_tc3(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    content_type: str,
    timestamp: int,
    method: str = "POST",
    payload: bytes = b"",
    query: str = "",
) -> str:
    """The Authorization header for one request, signing `content-type` and `host` as the SDK does."""
    date = utc_date(timestamp)
    signed = ["content-type", "host"]
    canonical = canonical_request(
        method=method,
        query=query,
        headers={"content-type": content_type, "host": host},
        signed_headers=signed,
        payload_hash=sha256_hex(b"" if method.upper() == "GET" else payload),
    )
    to_sign = string_to_sign(
        timestamp=timestamp, scope=f"{date}/{service}/tc3_request", canonical=canonical
    )
    signature = tc3_signature(secret_key=secret_key, date=date, service=service, to_sign=to_sign)
    return authorization_header(
        secret_id=secret_id, date=date, service=service, signed_headers=signed, signature=signature
    )


@dataclass(frozen=True)
class ParsedAuthorization:
    secret_id: str
    date: str
    service: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization | None:
    """Split a TC3 Authorization header into its parts; None when it is not one."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        return None
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, val = part.strip().partition("=")
        if not sep:
            return None
        fields[key] = val
    try:
        secret_id, date, service, terminator = fields["Credential"].split("/")
        signed_headers = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        return None
    if terminator != "tc3_request" or not signature or not all(signed_headers):
        return None
    return ParsedAuthorization(secret_id, date, service, signed_headers, signature)


def v1_string_to_sign(*, method: str, host: str, params: Mapping[str, str]) -> str:
    """Signature v1: sorted raw `name=value` pairs behind `METHODhost/?` (https://www.tencentcloud.com/document/api/599/33213)."""
    pairs = "&".join(f"{name}={params[name]}" for name in sorted(params) if name != "Signature")
    return f"{method.upper()}{host}/?{pairs}"


def v1_signature(*, secret_key: str, to_sign: str, method: str) -> str:
    digest = hashlib.sha256 if method == "HmacSHA256" else hashlib.sha1
    mac = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), digest).digest()
    return base64.b64encode(mac).decode("ascii")
