"""Cloud accounts: a key pair, the regions it watches and its share of the API budget."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.cloud import crypto
from apps.cloud.endpoints import EndpointRefused, checked_endpoint
from apps.cloud.projects import clean_omics_projects, projects_as_text
from apps.cloud.regions import clean_regions


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
    # When the temporary key pair (SecretId, SecretKey and token from STS) stops working; None
    # for a long-term key pair, which never expires.
    token_expires_at = models.DateTimeField(null=True, blank=True)
    regions = models.JSONField(default=default_regions, help_text="Regions this account watches.")
    # Omics projects watched besides those DescribeProjects lists, per region:
    # {"ap-guangzhou": ["prj-..."]}. An empty list (or none) means the region's projects as
    # the cloud lists them, else the default project.
    omics_projects = models.JSONField(default=dict, blank=True)
    budget_share = models.FloatField(
        default=0.5,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text="Share of each documented rate limit Jobdeck may spend (the rest is left to "
        "the account's other clients).",
    )
    # Set only by a superuser (the Django admin) or the deployment (manage.py, the demo), never
    # by a team admin; limited to the API domain and CLOUD_ALLOW_CUSTOM_ENDPOINTS either way.
    endpoint = models.CharField(
        max_length=255,
        blank=True,
        help_text="Empty: the real <service>.<region>.tencentcloudapi.com. Otherwise an "
        "https://*.tencentcloudapi.com address, or one the deployment lists in "
        "CLOUD_ALLOW_CUSTOM_ENDPOINTS (the emulator).",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Regions the products serve, an endpoint the workers may post to, an expiry only with
        a token (every way of saving an account calls this: the forms, the admin, manage.py,
        the services)."""
        super().clean()
        errors: dict[str, ValidationError] = {}
        try:
            self.regions = clean_regions(self.regions)
        except ValidationError as err:
            errors["regions"] = err
        else:
            try:
                self.omics_projects = clean_omics_projects(self.omics_projects, self.regions)
            except ValidationError as err:
                errors["omics_projects"] = err
        if self.endpoint:
            try:
                self.endpoint = checked_endpoint(self.endpoint)
            except EndpointRefused as err:
                errors["endpoint"] = ValidationError(err.message, code="endpoint")
        if self.token_expires_at and not self.is_temporary:
            message = _("An expiry belongs to a token: paste the token too, or leave it empty.")
            errors["token_expires_at"] = ValidationError(message, code="expiry_without_token")
        if errors:
            raise ValidationError(errors)

    @property
    def omics_projects_text(self) -> str:
        """The projects the admin named, one `<region> <project id>` per line (the form's)."""
        return projects_as_text(self.omics_projects)

    @property
    def secret_key(self) -> str:
        return crypto.decrypt(self.secret_key_encrypted)

    @secret_key.setter
    def secret_key(self, value: str) -> None:
        self.secret_key_encrypted = crypto.encrypt(value)

    @property
    def is_temporary(self) -> bool:
        """A token makes the key pair a temporary one (STS); without one it is long-term."""
        return bool(self.token_encrypted)

    @property
    def token_expired(self) -> bool:
        """The temporary key pair is past the expiry it was stored with (unknown: not)."""
        expires_at = self.token_expires_at if self.is_temporary else None
        return expires_at is not None and expires_at <= timezone.now()

    @property
    def token_expires_soon(self) -> bool:
        """Not expired yet, but within CLOUD_TOKEN_WARN_BEFORE seconds of it."""
        expires_at = self.token_expires_at if self.is_temporary else None
        if expires_at is None or self.token_expired:
            return False
        return expires_at - timezone.now() <= timedelta(seconds=settings.CLOUD_TOKEN_WARN_BEFORE)

    @property
    def key_pair_summary(self) -> str:
        """What the account pages say about the key pair: long-term, or temporary and when
        it expires (in the reader's time zone)."""
        if not self.is_temporary:
            return str(_("long-term key pair"))
        if self.token_expires_at is None:
            return str(_("temporary key pair, expiry unknown"))
        when = {"when": date_format(timezone.localtime(self.token_expires_at), "DATETIME_FORMAT")}
        if self.token_expired:
            return str(_("temporary key pair, expired %(when)s: paste a new one") % when)
        if self.token_expires_soon:
            return str(_("temporary key pair, expires soon: %(when)s") % when)
        return str(_("temporary key pair, expires %(when)s") % when)

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = crypto.encrypt(value)
