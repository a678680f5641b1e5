"""Typed errors for everything a cloud call can end in; each carries code, message, RequestId.

The families follow the common and service error codes of Batch
(https://www.tencentcloud.com/document/api/599/30483) and Omics (https://cloud.tencent.com/document/api/1643/89109). Branch on the class or `code`, never on `message` (it changes).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


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


class InternalFailure(Unavailable):
    """InternalError*: the cloud failed while handling the request. It answered, but the answer
    does not say how far it got: a write may or may not have happened."""


class AnswerLost(Unavailable):
    """The request went out but no complete answer came back (read timeout, connection dropped,
    a proxy's 5xx, a body that is not an envelope): a write may or may not have happened."""


# The answers after which nobody knows whether a write was done: it must not be sent again,
# the target is re-read instead. Any other error is the cloud saying it did nothing.
OUTCOME_UNKNOWN: tuple[type[CloudError], ...] = (AnswerLost, InternalFailure)


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
    ("InternalError", InternalFailure),
    ("ServiceUnavailable", Unavailable),
    ("ResourceUnavailable", Unavailable),
)


def error_for(code: str, message: str, request_id: str = "") -> CloudError:
    for prefix, cls in _PREFIXES:
        if code == prefix or code.startswith(prefix + "."):
            return cls(code, message, request_id)
    return InvalidRequest(code, message, request_id)


# What a person is told about the codes whose cloud message does not say what to do; the
# code and the cloud's message are shown beside it, as the cloud sent them.
# (https://www.tencentcloud.com/document/api/599/30483, and the signature v3 page's codes:
# https://www.tencentcloud.com/document/api/599/33212)
PLAIN_WORDS = {
    "AuthFailure.TokenFailure": _(
        "The cloud refused the token. A temporary key pair works only with the token issued "
        "with it and only until it expires; a long-term key pair takes no token. Paste a new "
        "SecretId, SecretKey and token together, or clear the token of a long-term key."
    ),
    "AuthFailure.SecretIdNotFound": _(
        "The cloud does not know this SecretId: the key was deleted or disabled in the console, "
        "or it was copied with a character too many or too few."
    ),
    "TokenExpired": _(
        "The temporary key pair has expired, so nothing was sent. Paste a new SecretId, "
        "SecretKey and token in the account's settings."
    ),
}


def in_plain_words(code: str) -> str:
    """What `code` means for the person reading it, or "" when its message says enough."""
    plain = PLAIN_WORDS.get(code)
    return "" if plain is None else str(plain)
