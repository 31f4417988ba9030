from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_USERNAME = "admin"
DEMO_PASSWORD = "kehui-demo-2026"


class Command(BaseCommand):
    help = "Create a local demo superuser, only when no superuser exists yet, and print its login."

    def handle(self, *args, **options):
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
