"""Bring the role groups up to date: GEC codes, green-power contracts and their settlements, and
interval meter data are new (viewers see them; data editors enter contracts and settlements)."""

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
        ("roles", "0002_restatement_permissions"),
        ("offsets", "0006_green_power_contracts"),
        ("activities", "0014_interval_meter_data"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
