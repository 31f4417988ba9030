"""The demo superuser (a published password) is refused on a production installation."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_it_refuses_the_demo_login_with_debug_off_and_says_why(django_user_model, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off") as refusal:
        call_command("create_demo_superuser")
    assert "createsuperuser" in str(refusal.value)
    assert "--force" in str(refusal.value)
    assert "kehui-demo-2026" not in str(refusal.value)
    assert not django_user_model.objects.exists()


def test_it_does_not_print_an_existing_demo_login_with_debug_off(django_user_model, settings):
    django_user_model.objects.create_superuser("admin", password="kehui-demo-2026")
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("create_demo_superuser")


def test_force_creates_it_with_debug_off_and_warns(django_user_model, settings, capsys):
    settings.DEBUG = False
    call_command("create_demo_superuser", force=True)
    out, err = capsys.readouterr()
    assert "user: admin" in out
    assert "--force was given" in err
    assert django_user_model.objects.get(username="admin").is_superuser


def test_force_is_accepted_on_the_command_line(django_user_model, settings):
    settings.DEBUG = False
    call_command("create_demo_superuser", "--force")
    assert django_user_model.objects.filter(username="admin", is_superuser=True).exists()


def test_with_debug_on_it_creates_the_demo_login_as_before(django_user_model, settings, capsys):
    settings.DEBUG = True
    call_command("create_demo_superuser")
    out, err = capsys.readouterr()
    assert "password: kehui-demo-2026" in out
    assert err == ""
    assert django_user_model.objects.get(username="admin").is_superuser
