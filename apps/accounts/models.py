"""Users, teams and roles. A team owns cloud accounts; a member sees everything under the
team's accounts; an operator also acts; an admin also manages accounts and members."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Django's user, ours to extend (a custom model from the start, as Django advises)."""


class Role(models.TextChoices):
    VIEWER = "viewer", "viewer (sees)"
    OPERATOR = "operator", "operator (also retries and terminates)"
    ADMIN = "admin", "admin (also manages accounts and members)"


# What each role may do beyond seeing.
ACTING_ROLES = (Role.OPERATOR, Role.ADMIN)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
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
