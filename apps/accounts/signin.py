"""The sign-in page: Django's LoginView with the lockout form, whose writes (the session, the
user's last_login) are retried when SQLite is locked, and a 503 "busy" page if it stays so."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from apps.accounts.db_retry import DatabaseBusy, retry_when_locked
from apps.accounts.forms import SignInForm


class SignInView(LoginView):
    authentication_form = SignInForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        request = self.request

        # Safe to run again: a locked database fails the first write (the new session's INSERT
        # in login's cycle_key, or BEGIN IMMEDIATE before it), before the session holds the user.
        def sign_in() -> None:
            login(request, form.get_user())
            # Saved here, inside the retry; the session middleware's save afterwards only
            # rewrites the same row.
            request.session.save()

        try:
            retry_when_locked(sign_in, what="sign-in")
        except DatabaseBusy:
            busy = render(request, "registration/busy.html", status=503)
            busy["Retry-After"] = "10"
            return busy
        return HttpResponseRedirect(self.get_success_url())
