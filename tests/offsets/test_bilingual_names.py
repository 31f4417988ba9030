"""Credit projects and own tree planting carry an English and a Chinese name, shown in the
page's language (the other one when the page's is empty), entered and found in the admin."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from emissions.offsets import services
from emissions.offsets.demo import PROJECTS
from emissions.offsets.forms import BatchChoiceField
from emissions.offsets.models import TreePlanting

pytestmark = pytest.mark.django_db


@pytest.fixture
def forest(ccer_forest):
    ccer_forest.name_zh = "太行山造林"
    ccer_forest.save()
    services.add_credit_batch(
        project=ccer_forest,
        vintage_year=2023,
        quantity_t=Decimal("100"),
        serial_first=1,
        serial_last=100,
        purchased_on=dt.date(2024, 3, 1),
    )
    return ccer_forest


@pytest.fixture
def poplars(db):
    return TreePlanting(
        name="Riverside poplars",
        name_zh="河岸杨树林",
        area_ha=Decimal("2"),
        species="Poplar",
        planting_year=2021,
        sequestration_t_per_year=Decimal("12"),
        method="2 ha × 6 t a year",
    )


def test_a_project_and_a_planting_are_named_in_the_pages_language(forest, poplars):
    assert (
        str(forest) == "CCER (China Certified Emission Reduction) CCER-14-001 Taihang afforestation"
    )
    assert poplars.local_name == "Riverside poplars"
    with translation.override("zh-hans"):
        assert forest.local_name == "太行山造林"
        assert poplars.local_name == str(poplars) == "河岸杨树林"
        poplars.name_zh = ""
        assert poplars.local_name == "Riverside poplars"


def test_the_batch_picker_names_the_project_in_the_pages_language(forest):
    field = BatchChoiceField()
    batch = field.queryset.get()  # with its holdings
    with translation.override("zh-hans"):
        assert "太行山造林" in field.label_from_instance(batch)
    assert "Taihang afforestation" in field.label_from_instance(batch)


def test_the_offsets_page_lists_projects_in_the_readers_language(client, django_user_model, forest):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_creditbatch"))
    client.force_login(user)
    url = reverse("dashboard:offsets")
    assert '<th scope="row">Taihang afforestation</th>' in client.get(url).text
    chinese = client.get(url, headers={"accept-language": "zh-hans"}).text
    assert '<th scope="row">太行山造林</th>' in chinese


def test_the_admin_takes_both_names_and_finds_either(admin_client, forest):
    form = admin_client.get(reverse("admin:offsets_creditproject_change", args=[forest.pk])).text
    assert 'name="name_zh"' in form
    found = admin_client.get(reverse("admin:offsets_creditproject_changelist"), {"q": "太行"})
    assert "CCER-14-001" in found.text
    assert 'name="name_zh"' in admin_client.get(reverse("admin:offsets_treeplanting_add")).text


def test_the_demo_names_its_projects_in_both_languages():
    assert all(project["name"] and project["name_zh"] for project in PROJECTS.values())
