from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from emissions.roles.definitions import APPROVER

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "kehui-demo-2026"
# A second demo login in the Approver role: maker-checker refuses the admin's approval of
# what the admin imported, so a trial user needs someone else to approve it.
APPROVER_USERNAME = "approver"
APPROVER_PASSWORD = "kehui-approve-2026"
DEFAULT_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create a local demo superuser and a demo approver, only when no superuser exists yet, "
        "and print their logins. Refused with DEBUG off (a production installation) unless "
        "--force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo logins even with DEBUG off. Their passwords are published.",
        )
        parser.add_argument(
            "--url",
            default=DEFAULT_URL,
            help=f"Where the server answers, printed with the logins (default {DEFAULT_URL}).",
        )

    def handle(self, *args, force=False, url=DEFAULT_URL, **options):
        # The passwords are in the README and this file: on a server they are an open door.
        if not settings.DEBUG and not force:
            raise CommandError(
                f"DEBUG is off, so this looks like a production installation: the demo "
                f"superuser {DEMO_USERNAME!r} has a published password and was not created. "
                "Create a superuser with 'python manage.py createsuperuser', or pass --force "
                "to create the demo login anyway."
            )
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "DEBUG is off and --force was given: the demo login is created anyway; "
                    "change its password before anyone else can reach this server."
                )
            )
        if not self._demo_admin():
            return
        logins = [("administrator", DEMO_USERNAME, DEMO_PASSWORD)]
        if self._demo_approver():
            logins.append(("approver", APPROVER_USERNAME, APPROVER_PASSWORD))
        self._print_logins(url, logins)

    def _demo_admin(self) -> bool:
        """Create the demo superuser if none exists; whether its published login works."""
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            demo = users.filter(username=DEMO_USERNAME, is_superuser=True).first()
            if demo is not None and demo.check_password(DEMO_PASSWORD):
                return True
            self.stdout.write("A superuser already exists; no demo login was created.")
            return False
        if users.filter(username=DEMO_USERNAME).exists():
            self.stderr.write(
                f"A non-superuser named {DEMO_USERNAME!r} exists; create a superuser with "
                "'python manage.py createsuperuser' instead."
            )
            return False
        users.create_superuser(DEMO_USERNAME, email="", password=DEMO_PASSWORD)
        return True

    def _demo_approver(self) -> bool:
        """Create the demo approver if the name is free; whether its published login works."""
        users = get_user_model().objects
        existing = users.filter(username=APPROVER_USERNAME).first()
        if existing is not None:
            if existing.check_password(APPROVER_PASSWORD):
                return True
            self.stdout.write(
                f"A user named {APPROVER_USERNAME!r} already exists; no demo approver was created."
            )
            return False
        group = Group.objects.filter(name=APPROVER).first()
        if group is None:
            self.stderr.write(
                f"The {APPROVER!r} role is missing, so no demo approver was created: run "
                "'python manage.py sync_roles', then this command again."
            )
            return False
        # Staff, as every role but Viewer: approvers work in the admin too.
        approver = users.create_user(APPROVER_USERNAME, password=APPROVER_PASSWORD, is_staff=True)
        approver.groups.add(group)
        return True

    def _print_logins(self, url: str, logins: list[tuple[str, str, str]]) -> None:
        lines = [f"Demo logins for {url} (local use only; change the passwords in the admin):"]
        width = max(len(username) for _role, username, _password in logins)
        for role, username, password in logins:
            lines.append(f"  {role:<14} user: {username:<{width}}  password: {password}")
        if len(logins) > 1:
            lines.append(
                f"  Import as {DEMO_USERNAME}, then approve as {APPROVER_USERNAME}: "
                "nobody approves their own data."
            )
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
