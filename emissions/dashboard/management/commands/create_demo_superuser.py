from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "kehui-demo-2026"


class Command(BaseCommand):
    help = (
        "Create a local demo superuser, only when no superuser exists yet, and print its login. "
        "Refused with DEBUG off (a production installation) unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the demo login even with DEBUG off. Its password is published.",
        )

    def handle(self, *args, force=False, **options):
        # The password is in the README and this file: on a server it is an open door.
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
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            demo = users.filter(username=DEMO_USERNAME, is_superuser=True).first()
            if demo is not None and demo.check_password(DEMO_PASSWORD):
                self._print_login()
            else:
                self.stdout.write("A superuser already exists; no demo login was created.")
            return
        if users.filter(username=DEMO_USERNAME).exists():
            self.stderr.write(
                f"A non-superuser named {DEMO_USERNAME!r} exists; create a superuser with "
                "'python manage.py createsuperuser' instead."
            )
            return
        users.create_superuser(DEMO_USERNAME, email="", password=DEMO_PASSWORD)
        self._print_login()

    def _print_login(self):
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login for http://127.0.0.1:8000 -> user: {DEMO_USERNAME}  "
                f"password: {DEMO_PASSWORD}  (local use only; change it in the admin)"
            )
        )
