"""Decode the `StdoutLog` / `StderrLog` values of DescribeTaskLogs for display.

DescribeTaskLogs (https://www.tencentcloud.com/document/api/599/30553): both fields are "Base64-encoded, up to 2048 bytes after decoding". The doc's
example wraps them in a data URI (`data:text/plain;charset=utf-8;base64,...`), other clients
see bare base64, and either may be null. Whatever arrives, `decode_log` returns something
showable and never raises: one odd log must not take the page down. ANSI escapes and
HTML-looking text are kept verbatim; colouring and escaping are the template's job.
"""

from __future__ import annotations

import base64
import codecs
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

DEFAULT_CHARSET = "utf-8"
_WHITESPACE = re.compile(r"\s+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]*={0,2}")  # both alphabets at once, padding optional
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")  # lone surrogates cannot be encoded into a response
_URLSAFE = str.maketrans("-_", "+/")


@dataclass(frozen=True)
class DecodedLog:
    """One log, ready for a template (which must still escape it)."""

    text: str
    raw_bytes: int  # decoded size before the cap
    truncated: bool
    charset: str = DEFAULT_CHARSET
    problem: str = ""  # "" when clean, else a short message for the operator


def decode_log(value: object, *, max_bytes: int = 64 * 1024) -> DecodedLog:
    """Decode a log value; keep at most the last `max_bytes` bytes, as the API keeps a tail."""
    try:
        return _decode(value, max(0, int(max_bytes)))
    except Exception:  # last resort: a bug here must cost one log, not the page
        return DecodedLog("", 0, False, problem="log could not be decoded")


def _decode(value: object, cap: int) -> DecodedLog:
    if value is None:
        return DecodedLog("", 0, False)
    if isinstance(value, bytes | bytearray | memoryview):
        # Not what the JSON API gives, but a caller may hand over the wire value as bytes.
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return DecodedLog("", 0, False, problem=f"not a string ({type(value).__name__}): not shown")
    stripped = value.strip()
    if stripped[:5].lower() != "data:":
        return _from_base64(value, stripped, cap, DEFAULT_CHARSET, "")
    header, comma, payload = stripped[5:].partition(",")
    if not comma:
        return _as_received(value, cap, "malformed data URI: shown as received")
    params = [param.strip() for param in header.split(";")]
    charset, problem = _charset(params)
    if any(param.lower() == "base64" for param in params):
        return _from_base64(value, payload, cap, charset, problem)
    return _from_percent(payload, cap, charset, problem)  # RFC 2397 without ;base64


def _charset(params: list[str]) -> tuple[str, str]:
    for param in params:
        name, equals, wanted = param.partition("=")
        wanted = wanted.strip().strip("\"'")
        if not (equals and wanted and name.strip().lower() == "charset"):
            continue
        try:
            codec = codecs.lookup(wanted)
            # Rejects bytes-to-bytes codecs (base64, rot13) and ones that cannot replace (idna).
            b"\xff".decode(codec.name, "replace")
            return codec.name, ""
        except Exception:
            return DEFAULT_CHARSET, f"unknown charset {wanted[:40]}: decoded as UTF-8"
    return DEFAULT_CHARSET, ""


def _from_base64(original: str, payload: str, cap: int, charset: str, problem: str) -> DecodedLog:
    compact = _WHITESPACE.sub("", payload)  # line-wrapped base64 (MIME style) is common
    digits = compact.rstrip("=")
    if not _BASE64.fullmatch(compact) or len(digits) % 4 == 1:
        return _as_received(original, cap, "not base64: shown as received")
    raw = len(digits) * 3 // 4
    # Decode only the 4-character groups that hold the last `cap` bytes: bounded work.
    start = max(0, raw - cap)
    chunk = digits[start // 3 * 4 :].translate(_URLSAFE)
    data = base64.b64decode(chunk + "=" * (-len(chunk) % 4))[start % 3 :]
    return _text(data, raw, charset, problem)


def _from_percent(payload: str, cap: int, charset: str, problem: str) -> DecodedLog:
    raw = _utf8_len(payload) - 2 * sum(1 for _ in _ESCAPE.finditer(payload))
    start = max(0, len(payload) - 3 * cap)  # 3 characters ("%XX") make at least one byte
    for back in (1, 2):  # never start inside an escape
        if start >= back and _ESCAPE.match(payload, start - back):
            start -= back
            break
    data = unquote_to_bytes(_SURROGATE.sub("\ufffd", payload[start:]))
    return _text(data[max(0, len(data) - cap) :], raw, charset, problem)


def _as_received(original: str, cap: int, problem: str) -> DecodedLog:
    # A character is at least one byte, so the last `cap` characters hold the last `cap` bytes.
    data = _SURROGATE.sub("\ufffd", original[max(0, len(original) - cap) :]).encode()
    return _text(data[max(0, len(data) - cap) :], _utf8_len(original), DEFAULT_CHARSET, problem)


def _text(data: bytes, raw: int, charset: str, problem: str) -> DecodedLog:
    truncated = len(data) < raw
    if truncated and charset == "utf-8":
        # The cut may land inside a character: drop its orphaned continuation bytes.
        skip = 0
        while skip < min(3, len(data)) and 0x80 <= data[skip] < 0xC0:
            skip += 1
        data = data[skip:]
    try:
        text = data.decode(charset)
    except UnicodeError:
        text = data.decode(charset, "replace")
        problem = "; ".join(p for p in (problem, f"invalid {charset} bytes: shown as \ufffd") if p)
    # Escape codecs (unicode_escape) can produce lone surrogates; a response could not encode them.
    text = _SURROGATE.sub("\ufffd", text)
    return DecodedLog(text, raw, truncated, charset, problem)


def _utf8_len(text: str) -> int:
    if text.isascii():  # O(1) in CPython
        return len(text)
    # In slices, so that a huge value is measured without a second full copy of it.
    step = 1 << 16
    return sum(
        len(text[i : i + step].encode("utf-8", "surrogatepass")) for i in range(0, len(text), step)
    )
