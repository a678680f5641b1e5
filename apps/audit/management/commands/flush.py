"""Django's `flush`, able to empty the append-only audit log with the rest of the database.

Django runs the command of an installed app in place of its own of the same name
(https://docs.djangoproject.com/en/5.2/howto/custom-management-commands/#overriding-commands);
its TransactionTestCase, and so pytest-django's transactional tests, flush through it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from apps.audit.append_only import lifted_for_flush
from apps.audit.models import AuditEvent


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        with lifted_for_flush(connection, AuditEvent._meta.db_table):
            super().handle(**options)
