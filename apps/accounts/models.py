"""Users, teams and roles. A team owns cloud accounts; a member sees everything under the
team's accounts; an operator also acts; an admin also manages accounts and members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.zones import validate_time_zone


class User(AbstractUser):
    """Django's user, ours to extend (a custom model from the start, as Django advises).

    `language` and `time_zone` are the person's own choice; blank follows the browser's
    Accept-Language and the team's zone (apps/accounts/preferences.py)."""

    language = models.CharField(
        _("language"), max_length=16, blank=True, choices=settings.LANGUAGES
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )


class Role(models.TextChoices):
    VIEWER = "viewer", _("viewer (sees)")
    OPERATOR = "operator", _("operator (also retries and terminates)")
    ADMIN = "admin", _("admin (also manages accounts and members)")


# What each role may do beyond seeing.
ACTING_ROLES = (Role.OPERATOR, Role.ADMIN)


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # The zone its members see times in unless they chose their own; blank: TIME_ZONE.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        User, through="Membership", related_name="teams"
    )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} as {self.role}"
