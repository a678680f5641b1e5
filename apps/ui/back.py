"""Where to send a person back to after a form: only a path on this site."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def local_path(back: str, default: str = "/") -> str:
    """`back` when it is a path on this site, else `default`. No host is allowed, not even ours
    (a Host header is the client's to choose), and `//host` or `/\\host`, which browsers read as
    another site, are refused too."""
    path_only = back.startswith("/") and not back.startswith(("//", "/\\"))
    return (
        back if path_only and url_has_allowed_host_and_scheme(back, allowed_hosts=None) else default
    )
