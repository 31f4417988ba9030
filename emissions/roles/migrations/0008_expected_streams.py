"""Bring the role groups up to date: expected data streams are new (everyone sees them and
the completeness grid; administrators set them)."""

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
        ("roles", "0007_products"),
        ("planning", "0001_initial"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
