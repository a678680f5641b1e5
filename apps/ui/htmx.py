"""One view serves the page or, for HTMX, just its fragment (template#partial), so the page and
the fragment cannot drift apart. A poll learns that nothing will change any more from
status 286, on which htmx stops an `every Ns` trigger."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

STOP_POLLING = 286


def page_or_fragment(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, done: bool
) -> HttpResponse:
    if getattr(request, "htmx", False):
        response = render(request, f"{template}#{partial}", context)
        if done:
            response.status_code = STOP_POLLING
        return response
    return render(request, template, context)
