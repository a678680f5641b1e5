"""`manage.py cloud_account add NAME --secret-id ... --regions ap-guangzhou,ap-shanghai`
`manage.py cloud_account check NAME` / `manage.py cloud_account list`

The SecretKey is read from --secret-key, or TENCENTCLOUD_SECRET_KEY, or asked for without echo:
never from a file that may be committed, and never printed. A temporary key pair's token comes
from --token or TENCENTCLOUD_TOKEN (the names tccli and the SDK read), its expiry from
--token-expires-at.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.cloud.checks import account_check
from apps.cloud.models import CloudAccount
from apps.cloud.services import account_audit, account_create, token_expiry


class Command(BaseCommand):
    help = "Add, list and check Tencent Cloud accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        add = sub.add_parser("add", help="add an account, then check it")
        add.add_argument("name")
        add.add_argument("--secret-id", default=os.environ.get("TENCENTCLOUD_SECRET_ID", ""))
        add.add_argument(
            "--secret-key", default="", help="default: TENCENTCLOUD_SECRET_KEY, or a prompt"
        )
        add.add_argument(
            "--token",
            default=os.environ.get("TENCENTCLOUD_TOKEN", ""),
            help="a temporary key pair's token (default: TENCENTCLOUD_TOKEN)",
        )
        add.add_argument(
            "--token-expires-at",
            type=token_expiry,
            default=None,
            help="when that token stops working, ISO 8601 (e.g. 2026-12-02T08:00:00Z)",
        )
        add.add_argument("--regions", default="ap-guangzhou", help="comma-separated")
        add.add_argument("--budget-share", type=float, default=None)
        add.add_argument(
            "--endpoint",
            default="",
            help="e.g. http://127.0.0.1:9100 (the emulator, when "
            "CLOUD_ALLOW_CUSTOM_ENDPOINTS lists it)",
        )
        add.add_argument("--no-check", action="store_true")
        check = sub.add_parser(
            "check", help="call one cheap Describe action per service and region"
        )
        check.add_argument("name")
        sub.add_parser("list")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["command"] == "list":
            for account in CloudAccount.objects.all():
                state = "enabled" if account.enabled else "disabled"
                self.stdout.write(
                    f"{account.name}  {account.secret_id}  {','.join(account.regions)}  "
                    f"share={account.budget_share}  {account.endpoint or 'tencentcloudapi.com'}  {state}"
                )
            return
        if opts["command"] == "add":
            account = self._add(opts)
            account_audit(
                user=None,
                account=account,
                before=None,
                secrets_changed=["secret_key", "token"] if account.is_temporary else ["secret_key"],
                via="manage.py cloud_account add",
            )
            self.stdout.write(f"Added account {account.name}.")
            if opts["no_check"]:
                return
        else:
            found = CloudAccount.objects.filter(name=opts["name"]).first()
            if found is None:
                raise CommandError(f"No account named {opts['name']!r}.")
            account = found
        failures = 0
        for result in account_check(account):
            mark = "ok  " if result.ok else "FAIL"
            failures += not result.ok
            self.stdout.write(
                f"  {mark} {result.service:<5} {result.region:<14} {result.action}: {result.detail}"
            )
        if failures:
            raise CommandError(f"{failures} check(s) failed.")

    def _add(self, opts: dict[str, Any]) -> CloudAccount:
        secret_id = opts["secret_id"]
        if not secret_id:
            raise CommandError("Give --secret-id (or set TENCENTCLOUD_SECRET_ID).")
        secret_key = opts["secret_key"] or os.environ.get("TENCENTCLOUD_SECRET_KEY", "")
        if not secret_key:
            secret_key = getpass.getpass("SecretKey (not echoed): ")
        regions = [r.strip() for r in opts["regions"].split(",") if r.strip()]
        try:
            return account_create(
                name=opts["name"],
                secret_id=secret_id,
                secret_key=secret_key,
                regions=regions,
                budget_share=opts["budget_share"],
                endpoint=opts["endpoint"],
                token=opts["token"],
                token_expires_at=opts["token_expires_at"],
            )
        except ValidationError as err:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in err.message_dict.items())
            ) from None
