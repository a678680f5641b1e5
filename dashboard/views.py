"""The placeholder home page: proof that the pieces are up, until the dashboard pages exist."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.cloud.probe import PROBE_CACHE_KEY


def home(request: HttpRequest) -> HttpResponse:
    # Read-only: the worker's probe task wrote this; a page view never calls the cloud.
    return render(request, "home.html", {"probe": cache.get(PROBE_CACHE_KEY)})
