"""One URL path segment for every id the cloud hands out (a JobId, a TaskName, a RunUuid, ...).

The cloud does not promise its ids are URL-safe: a task may be named `stage/1`, a name may hold
`%`, `?`, `#`, spaces, non-ASCII, or be just `..`. `<cloud_id:...>` accepts any non-empty
segment and writes the id percent-encoded with nothing left safe, so a `/` can never split it
into two segments. `reverse()` quotes that once more (`%` becomes `%25`) and the server decodes
the path once before routing, so `to_python` undoes exactly the encoding `to_url` added: every id
round-trips. A segment of only dots is encoded too, since a browser would resolve `..` away.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from django.urls import register_converter

NAME = "cloud_id"


class CloudIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unquote(value)

    def to_url(self, value: str) -> str:
        if value.strip(".") == "":
            return value.replace(".", "%2E")
        return quote(value, safe="")


def register() -> None:
    register_converter(CloudIdConverter, NAME)
