"""Bring the role groups up to date: forecast scenarios are new (everyone sees them and the
forecast; data editors write them, as they do reduction initiatives)."""

from django.db import migrations


def sync_role_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from emissions.roles.sync import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("roles", "0008_expected_streams"),
        ("planning", "0002_scenarios"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
