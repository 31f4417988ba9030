"""Bring the role groups up to date: products, processes, production and precursors are new
(everyone sees them; data editors and administrators enter them)."""

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
        ("roles", "0006_exchange_rates"),
        ("products", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
