"""One view serves the page or, for HTMX, just its fragment (template#partial), so the page and
the fragment cannot drift apart. A poll learns that nothing will change any more from
status 286 (`HTMX_STOP_POLLING`), on which htmx stops an `every Ns` trigger."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HTMX_STOP_POLLING
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it: `request.htmx` says whether htmx sent it."""

    htmx: HtmxDetails


def page_or_fragment(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any], *, done: bool
) -> HttpResponse:
    if request.htmx:
        response = render(request, f"{template}#{partial}", context)
        if done:
            response.status_code = HTMX_STOP_POLLING
        return response
    return render(request, template, context)
