import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.audit import append_only


def names_kept(apps, schema_editor):
    """Existing events get the names beside their keys, and the team of their account (events
    are read by team)."""
    db = schema_editor.connection.alias
    events = apps.get_model("audit", "AuditEvent").objects.using(db)
    for account in apps.get_model("cloud", "CloudAccount").objects.using(db):
        events.filter(account_id=account.pk).update(account_name=account.name)
        events.filter(account_id=account.pk, team_id=None).update(team_id=account.team_id)
    for team in apps.get_model("accounts", "Team").objects.using(db):
        events.filter(team_id=team.pk).update(team_name=team.name)


def triggers_installed(apps, schema_editor):
    append_only.install(schema_editor, apps.get_model("audit", "AuditEvent"))


def triggers_removed(apps, schema_editor):
    append_only.uninstall(schema_editor, apps.get_model("audit", "AuditEvent"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0002_alter_auditevent_status"),
        ("cloud", "0002_cloudaccount_team"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="account_name",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="team_name",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="account",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="cloud.cloudaccount",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="team",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="accounts.team",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="user",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(names_kept, migrations.RunPython.noop),
        # Last: on SQLite the AlterFields above rebuild the table.
        migrations.RunPython(triggers_installed, triggers_removed),
    ]
