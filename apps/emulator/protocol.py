"""What a request must look like before it is routed: the Content-Type its method and
signature allow, and the language it asks for.

`headers` have lower-case names; `params` are a v1 request's flat parameters (empty for v3).
"""

from __future__ import annotations

from collections.abc import Mapping

from apps.emulator.errors import ENGLISH, LANGUAGES, common_error

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
TC3 = "TC3-HMAC-SHA256"
V1 = "HmacSHA1/HmacSHA256"
# The Content-Types each method allows with each signature ("Request Structure", and the v3
# page: https://www.tencentcloud.com/document/api/599/33212): POST application/json only with
# TC3-HMAC-SHA256, POST application/x-www-form-urlencoded only with HmacSHA1/HmacSHA256, GET
# only application/x-www-form-urlencoded. multipart/form-data (TC3) is "only supported by
# certain APIs", none of Batch's or Omics's, so it is refused like any other. A v1 GET may
# carry no Content-Type at all: the doc's v1 examples are bare URLs, as a browser sends them.
ALLOWED_CONTENT_TYPES: dict[tuple[str, str], tuple[str, ...]] = {
    (TC3, "POST"): (JSON_CONTENT_TYPE,),
    (TC3, "GET"): (FORM_CONTENT_TYPE,),
    (V1, "POST"): (FORM_CONTENT_TYPE,),
    (V1, "GET"): (FORM_CONTENT_TYPE, ""),
}


def signed_with_tc3(headers: Mapping[str, str]) -> bool:
    """v3 puts the common parameters in headers (and the signature in Authorization); v1 has
    neither header."""
    return "authorization" in headers or "x-tc-action" in headers


def check_content_type(method: str, headers: Mapping[str, str], signature: str) -> None:
    """Refuse a Content-Type that the method does not allow with this signature.

    The doc names no error code for this case. It calls each Content-Type a "protocol format"
    ("For the GET method, only the Content-Type: application/x-www-form-urlencoded protocol
    format is supported"), so the closest common error is UnsupportedProtocol, "HTTP(S) request
    protocol error" (https://www.tencentcloud.com/document/api/599/30483)."""
    sent = headers.get("content-type", "").split(";")[0].strip().lower()
    allowed = ALLOWED_CONTENT_TYPES[(signature, method)]
    if sent not in allowed:
        raise common_error(
            "content_type",
            method=method,
            signature=signature,
            content_type=sent,
            allowed=" or ".join(a for a in allowed if a),
        )


def requested_language(headers: Mapping[str, str], params: Mapping[str, str]) -> str:
    """The language the request names, as sent ("" for none): the `X-TC-Language` header
    (v3) or the `Language` parameter (v1) (https://cloud.tencent.com/document/api/1643/89104)."""
    return headers.get("x-tc-language") or params.get("Language", "")


def reply_language(headers: Mapping[str, str], params: Mapping[str, str]) -> str:
    """The language of the answer's messages: the one asked for, English otherwise."""
    language = requested_language(headers, params)
    return language if language in LANGUAGES else ENGLISH


def check_language(language: str) -> None:
    # The doc lists the values ("取值：zh-CN，en-US") but names no error for another one:
    # InvalidParameterValue is the common error for "invalid parameter value".
    if language and language not in LANGUAGES:
        raise common_error("language", value=language)
