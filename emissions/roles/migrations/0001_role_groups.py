"""Create the four role groups (emissions/roles/definitions.py).

Permissions are normally created after all migrations (post_migrate); the groups need them
now, so this migration creates them first, the documented way for data migrations.
"""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from emissions.roles.sync import sync_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Permissions of models added by later migrations come with them (roles 0002 onwards).
    sync_roles(
        apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), skip_unknown=True
    )


def remove_role_groups(apps, schema_editor):
    from emissions.roles.definitions import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("activities", "0008_record_review"),
        ("evidence", "0001_initial"),
        ("facilities", "0006_reporting_year_lock"),
        ("factors", "0003_historicalfactordataset"),
        ("neutrality", "0001_initial"),
        ("offsets", "0002_certificate_market"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
