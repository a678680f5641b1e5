"""The API error an action raises; the server turns it into the documented error envelope."""

from __future__ import annotations


class ApiError(Exception):
    """An answer of `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}` (HTTP 200)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(f"ResourceNotFound.{what}", f"The specified {what} `{ident}` does not exist.")
