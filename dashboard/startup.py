"""The web, worker and beat refuse to start on a published or missing key outside DEBUG.

A deployment that forgot `DJANGO_SECRET_KEY` or `FIELD_ENCRYPTION_KEY` must fail at once with
one line naming the variable, not run on a key anyone can read in this repository (sessions
forged, every stored SecretKey decrypted from a database dump). `manage.py check --deploy`
reports the same problems (jobdeck.E001).
"""

from __future__ import annotations

import sys

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50  # Django's own deploy check asks for as much
# gunicorn's APP_LOAD_ERROR: its master then stops, instead of starting the worker again forever.
REFUSED_EXIT_STATUS = 4


def _secret_key_problem() -> str:
    try:
        key = str(settings.SECRET_KEY)
    except ImproperlyConfigured:  # Django refuses to hand out an empty one
        key = ""
    if not key:
        return "DJANGO_SECRET_KEY is not set"
    if key == settings.DEMO_SECRET_KEY:
        return "DJANGO_SECRET_KEY is the published demo key"
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return f"DJANGO_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    return ""


def _field_key_problem() -> str:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        return "FIELD_ENCRYPTION_KEY is not set"
    try:
        Fernet(key.encode())
    except ValueError:
        return "FIELD_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64-encoded bytes)"
    return ""


def unsafe_settings() -> list[str]:
    """What makes these settings unfit to serve anyone but a developer (nothing under DEBUG)."""
    if settings.DEBUG:
        return []
    return [problem for problem in (_secret_key_problem(), _field_key_problem()) if problem]


def refuse_unsafe_start(process: str) -> None:
    """Exit before `process` serves anything when `unsafe_settings()` finds a problem."""
    problems = unsafe_settings()
    if problems:
        print(
            f"Jobdeck {process} will not start: {'; '.join(problems)} (DJANGO_DEBUG is off; "
            "see .env.example)",
            # the process's own stderr: Celery redirects sys.stderr into its logger
            file=sys.__stderr__,
            flush=True,
        )
        raise SystemExit(REFUSED_EXIT_STATUS)


@register(Tags.security, deploy=True)
def check_keys(**kwargs: object) -> list[CheckMessage]:
    return [Error(problem, id="jobdeck.E001") for problem in unsafe_settings()]
