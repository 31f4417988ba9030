import pytest
from django.core.management import call_command

from emissions.facilities.demo import DEMO_FACILITIES
from emissions.facilities.models import Facility, Organisation

pytestmark = pytest.mark.django_db


def test_loading_the_demo_twice_creates_each_facility_once(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert Facility.objects.count() == len(DEMO_FACILITIES)
    assert Organisation.current().name_en == "Xingtai Kehui (demo)"
    assert f"0 created, {len(DEMO_FACILITIES)} already present" in capsys.readouterr().out


def test_loading_the_demo_keeps_edits_made_in_the_admin():
    call_command("load_demo")
    Facility.objects.filter(code="XT-01").update(name_en="Renamed plant")
    call_command("load_demo")
    assert Facility.objects.get(code="XT-01").name_en == "Renamed plant"


def test_the_demo_superuser_is_created_only_when_no_superuser_exists(
    django_user_model, capsys, settings
):
    settings.DEBUG = True  # outside DEBUG it is refused (tests/kehui/test_demo_superuser_guard.py)
    call_command("create_demo_superuser")
    out = capsys.readouterr().out
    assert "user: admin" in out
    assert "password: kehui-demo-2026" in out
    call_command("create_demo_superuser")
    assert django_user_model.objects.filter(is_superuser=True).count() == 1
    assert "user: admin" in capsys.readouterr().out


def test_no_demo_superuser_is_created_beside_a_real_one(django_user_model, capsys, settings):
    settings.DEBUG = True
    django_user_model.objects.create_superuser("boss", password="a-real-password-42")
    call_command("create_demo_superuser")
    assert not django_user_model.objects.filter(username="admin").exists()
    assert "no demo login was created" in capsys.readouterr().out
