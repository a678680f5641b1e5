"""The API error an action raises, and the one table of the common errors' messages.

The cloud answers in the language the request names (`X-TC-Language` with signature v3,
`Language` with v1): "zh-CN 返回中文，en-US 返回英文"
(https://cloud.tencent.com/document/api/1643/89104). The code never changes with the language;
only the message does. Chinese wording follows the doc's common error table where it gives one
(https://cloud.tencent.com/document/api/1643/89109).
"""

from __future__ import annotations

from typing import NamedTuple

ENGLISH = "en-US"
CHINESE = "zh-CN"
LANGUAGES = (CHINESE, ENGLISH)  # "取值：zh-CN，en-US"


class ApiError(Exception):
    """An answer of `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (HTTP 200).

    `message` is English; `chinese`, when the error has one, is what a zh-CN request reads."""

    def __init__(self, code: str, message: str, *, chinese: str = "") -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.chinese = chinese

    def message_in(self, language: str) -> str:
        return self.chinese if language == CHINESE and self.chinese else self.message


class Common(NamedTuple):
    code: str
    english: str
    chinese: str


# The common errors (https://www.tencentcloud.com/document/api/599/30483), by the emulator's own
# name for each situation: one code can have several (UnsupportedProtocol: a method, a body).
COMMON: dict[str, Common] = {
    "method": Common(
        "UnsupportedProtocol",
        "Only GET and POST requests are supported.",
        "HTTP(S)请求协议错误，只支持 GET 和 POST 请求。",
    ),
    "content_type": Common(
        "UnsupportedProtocol",
        "{method} with {signature} does not support Content-Type `{content_type}`; use {allowed}.",
        "{method} 请求使用 {signature} 签名时不支持 Content-Type `{content_type}`，请使用 {allowed}。",
    ),
    "request_size": Common(
        "RequestSizeLimitExceeded",
        "The request size exceeds the limit.",
        "请求包超过限制大小。",
    ),
    "body_not_json": Common(
        "InvalidParameter", "The request body is not valid JSON.", "请求体不是合法的 JSON。"
    ),
    "body_not_object": Common(
        "InvalidParameter",
        "The request body must be a JSON object.",
        "请求体必须是一个 JSON 对象。",
    ),
    "missing_parameter": Common(
        "MissingParameter",
        "The request is missing a required parameter `{name}`.",
        "缺少必填参数`{name}`。",
    ),
    "unknown_parameter": Common(
        "UnknownParameter",
        "The parameter `{name}` is not recognized.",
        "未知参数`{name}`。",
    ),
    "parameter_type": Common(
        "InvalidParameter",
        "The parameter `{name}` must be of type {type}.",
        "参数`{name}`的类型必须是 {type}。",
    ),
    "parameter_conflict": Common(
        "InvalidParameter",
        "The parameter `{name}` conflicts with another.",
        "参数`{name}`与其他参数冲突。",
    ),
    "timestamp_type": Common(
        "InvalidParameter",
        "The parameter `Timestamp` must be an integer.",
        "参数`Timestamp`必须是整数。",
    ),
    "language": Common(
        "InvalidParameterValue",
        "The value `{value}` of `Language` is invalid; use zh-CN or en-US.",
        "参数`Language`的取值`{value}`错误，请使用 zh-CN 或 en-US。",
    ),
    "no_such_version": Common(
        "NoSuchVersion",
        "The API version `{version}` does not exist.",
        "接口版本`{version}`不存在。",
    ),
    "invalid_action": Common(
        "InvalidAction", "The API `{action}` does not exist.", "接口`{action}`不存在。"
    ),
    "unsupported_region": Common(
        "UnsupportedRegion",
        "The API does not support the region `{region}`.",
        "接口不支持所传地域`{region}`。",
    ),
    "request_limit": Common(
        "RequestLimitExceeded",
        "Your current request times equals to `{limit}` in a second, which exceeds the frequency"
        " limit.",
        "您当前每秒请求`{limit}`次，超过了每秒频率上限，请降低调用频率。",
    ),
    "missing_authorization": Common(
        "AuthFailure.MissingAuthorization",
        "The request carries no signature.",
        "请求未携带签名。",
    ),
    "invalid_authorization": Common(
        "AuthFailure.InvalidAuthorization",
        "`Authorization` in the request header is invalid.",
        "请求头部的 Authorization 不符合腾讯云标准。",
    ),
    "signed_headers": Common(
        "AuthFailure.InvalidAuthorization",
        "SignedHeaders must include content-type and host.",
        "SignedHeaders 必须包含 content-type 和 host。",
    ),
    "credential_service": Common(
        "AuthFailure.InvalidAuthorization",
        "The service `{claimed}` in the credential scope is not `{service}`.",
        "Authorization 凭证范围中的服务`{claimed}`不是`{service}`。",
    ),
    "signature_expire": Common(
        "AuthFailure.SignatureExpire",
        "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
        "签名过期。Timestamp 与服务器接收到请求的时间相差不得超过五分钟。",
    ),
    "injected_rate_limited": Common(
        "RequestLimitExceeded",
        "Your current request times exceeds the frequency limit (injected).",
        "请求的次数超过了频率限制（注入的故障）。",
    ),
    "unauthorized": Common(
        "AuthFailure.UnauthorizedOperation",
        "The key pair is not authorized to call `{action}` (CAM policy).",
        "请求未授权：密钥无权调用`{action}`（CAM 策略）。",
    ),
    "secret_id_not_found": Common(
        "AuthFailure.SecretIdNotFound",
        "The SecretId is not found.",
        "密钥不存在。请到控制台查看密钥是否被禁用，是否少复制了字符或者多了字符。",
    ),
    "signature_failure": Common(
        "AuthFailure.SignatureFailure",
        "The provided credentials could not be validated. Please check your signature is correct.",
        "签名错误。可能是签名计算错误，或者签名与实际发送的内容不相符合，也有可能是密钥 SecretKey"
        " 错误导致的。",
    ),
    "not_found": Common(
        "ResourceNotFound.{what}",
        "The specified {what} `{ident}` does not exist.",
        "指定的 {what} `{ident}` 不存在。",
    ),
    "internal_error": Common("InternalError", "Internal error.", "内部错误。"),
    "injected_internal_error": Common(
        "InternalError", "Internal error (injected).", "内部错误（注入的故障）。"
    ),
}


def common_error(situation: str, /, **fields: object) -> ApiError:
    """The common error for `situation` (a key of COMMON), its `{placeholders}` filled from
    `fields`."""
    code, english, chinese = COMMON[situation]
    return ApiError(
        code.format(**fields), english.format(**fields), chinese=chinese.format(**fields)
    )


def not_found(what: str, ident: object) -> ApiError:
    return common_error("not_found", what=what, ident=ident)
