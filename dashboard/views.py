"""The placeholder home page: proof that the pieces are up, until the dashboard pages exist."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.cloud.probe import PROBE_CACHE_KEY


def home(request: HttpRequest) -> HttpResponse:
    # Read-only: the worker's probe task wrote this; a page view never calls the cloud.
    probe = cache.get(PROBE_CACHE_KEY)
    age = round(time.time() - probe["checked_at"]) if probe else None
    return render(request, "home.html", {"probe": probe, "age": age})
