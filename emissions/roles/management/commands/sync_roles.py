from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from emissions.roles.sync import UnknownPermission, sync_roles


class Command(BaseCommand):
    help = (
        "Create the Viewer, Data editor, Approver and Administrator groups, or bring their "
        "permissions back to what emissions/roles/definitions.py says."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; exit with status 1 when a group differs from its definition.",
        )

    def handle(self, *args, check=False, **options):
        try:
            with transaction.atomic():
                changes = sync_roles(Group, Permission, dry_run=check)
        except UnknownPermission as error:
            raise CommandError(str(error)) from None
        for change in changes:
            if not change.changed:
                self.stdout.write(f"{change.role}: in sync")
                continue
            verb = "would change" if check else ("created" if change.created else "updated")
            self.stdout.write(
                f"{change.role}: {verb} (+{len(change.added)} -{len(change.removed)})"
            )
            for name in change.added:
                self.stdout.write(f"  + {name}")
            for name in change.removed:
                self.stdout.write(f"  - {name}")
        if check and any(change.changed for change in changes):
            raise CommandError("The role groups differ from their definitions: run sync_roles.")
