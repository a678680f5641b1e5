"""Typed errors for everything a cloud call can end in; each carries code, message, RequestId.

The families follow the common and service error codes of Batch
(https://www.tencentcloud.com/document/api/599/30483) and Omics (https://cloud.tencent.com/document/api/1643/89109). Branch on the class or `code`, never on `message` (it changes).
"""

from __future__ import annotations


class CloudError(Exception):
    def __init__(self, code: str, message: str, request_id: str = "") -> None:
        super().__init__(
            f"{code}: {message}" + (f" (RequestId {request_id})" if request_id else "")
        )
        self.code = code
        self.message = message
        self.request_id = request_id


class RateLimited(CloudError):
    """RequestLimitExceeded*: the action's frequency limit was exceeded."""


class AuthError(CloudError):
    """AuthFailure*, UnauthorizedOperation*: the key pair or its permissions."""


class NotFound(CloudError):
    """ResourceNotFound*."""


class Refused(CloudError):
    """UnsupportedOperation*, ResourceInUse*, FailedOperation*, OperationDenied: not now."""


class InvalidRequest(CloudError):
    """InvalidParameter*, MissingParameter, UnknownParameter, InvalidAction, ...: our mistake."""


class UnsupportedRegion(InvalidRequest):
    """UnsupportedRegion: the action is not served in the request's region (common error code,
    https://www.tencentcloud.com/document/api/599/30483). The gateway raises it itself, before
    sending, for a region `apps.cloud.regions.serves` says the action is not served in."""


class Unavailable(CloudError):
    """InternalError*, HTTP 5xx, timeouts, dropped connections, bodies that are not envelopes."""


class AnswerLost(Unavailable):
    """The request went out but no complete answer came back (read timeout, connection dropped,
    a proxy's 5xx, a body that is not an envelope): a write may or may not have happened."""


_PREFIXES: tuple[tuple[str, type[CloudError]], ...] = (
    ("RequestLimitExceeded", RateLimited),
    ("AuthFailure", AuthError),
    ("UnauthorizedOperation", AuthError),
    ("ResourceNotFound", NotFound),
    ("UnsupportedOperation", Refused),
    ("ResourceInUse", Refused),
    ("FailedOperation", Refused),
    ("OperationDenied", Refused),
    ("UnsupportedRegion", UnsupportedRegion),
    ("InternalError", Unavailable),
    ("ServiceUnavailable", Unavailable),
    ("ResourceUnavailable", Unavailable),
)


def error_for(code: str, message: str, request_id: str = "") -> CloudError:
    for prefix, cls in _PREFIXES:
        if code == prefix or code.startswith(prefix + "."):
            return cls(code, message, request_id)
    return InvalidRequest(code, message, request_id)
