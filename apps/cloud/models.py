"""Cloud accounts: a key pair, the regions it watches and its share of the API budget."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.cloud import crypto


def default_regions() -> list[str]:
    return ["ap-guangzhou"]


class CloudAccount(models.Model):
    name = models.SlugField(max_length=64, unique=True)
    # The team that owns it: its members see it and everything under it (None: nobody but
    # superusers, until an admin assigns it).
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cloud_accounts",
    )
    secret_id = models.CharField("SecretId", max_length=128)
    # Encrypted at rest; read through `secret_key`, never rendered (forms and admin write only).
    secret_key_encrypted = models.TextField(editable=False)
    token_encrypted = models.TextField(blank=True, editable=False)
    regions = models.JSONField(default=default_regions, help_text="Regions this account watches.")
    budget_share = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Share of each documented rate limit Jobdeck may spend (the rest is left to "
        "the account's other clients).",
    )
    endpoint = models.CharField(
        max_length=255,
        blank=True,
        help_text="Override the API endpoint, e.g. http://127.0.0.1:9100 for the emulator. "
        "Empty: the real <service>.<region>.tencentcloudapi.com.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_key_encrypted)

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        self.secret_key_encrypted = crypto.encrypt(value)

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = crypto.encrypt(value)
