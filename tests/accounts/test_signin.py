"""Signing in and out; repeated failures lock the username out."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password="correct-horse-9")


def sign_in(client: Client, password: str) -> int:
    return client.post("/account/sign-in/", {"username": "alice", "password": password}).status_code


def test_sign_in_and_out(alice):
    client = Client()
    assert client.get("/").status_code == 302
    assert sign_in(client, "correct-horse-9") == 302
    assert client.get("/").status_code == 200
    assert client.post("/account/sign-out/").status_code == 302
    assert client.get("/").status_code == 302


def test_five_failures_lock_the_username_out_even_with_the_right_password(alice):
    client = Client()
    for _ in range(5):
        assert sign_in(client, "wrong") == 200
    page = client.post("/account/sign-in/", {"username": "alice", "password": "correct-horse-9"})
    assert page.status_code == 200
    assert "Too many failed sign-ins" in page.content.decode()
    assert client.get("/").status_code == 302


def test_password_change_needs_the_old_password(alice):
    client = Client()
    client.force_login(alice)
    reply = client.post(
        "/account/password/",
        {
            "old_password": "nope",
            "new_password1": "n3w-Pass-word!",
            "new_password2": "n3w-Pass-word!",
        },
    )
    assert reply.status_code == 200 and "incorrectly" in reply.content.decode()
