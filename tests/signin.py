"""Signed-in clients for tests that are about pages, not about who may see them."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def client(client: Any, django_user_model: Any) -> Any:
    """Django's test client, signed in as a superuser (sees every account)."""
    user = django_user_model.objects.create_superuser("root", "root@example.com", "root-password-1")
    client.force_login(user)
    return client
