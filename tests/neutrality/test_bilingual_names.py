"""Targets and reduction initiatives carry an English and a Chinese name, shown in the page's
language (the other one when the page's is empty), entered and found in the admin."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from emissions.neutrality.demo import INITIATIVES, TARGETS
from emissions.neutrality.models import ReductionInitiative, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def target():
    return Target.objects.create(
        name="Carbon neutral by 2030",
        name_zh="2030 年实现碳中和",
        kind="neutrality",
        base_year=2019,
        target_year=2030,
    )


@pytest.fixture
def solar():
    return ReductionInitiative.objects.create(
        title="Rooftop solar",
        title_zh="屋顶光伏",
        kind="rooftop_solar",
        status="done",
        expected_abatement_t_per_year=Decimal("950"),
    )


def test_a_target_and_an_initiative_are_named_in_the_pages_language(target, solar):
    assert (str(target), str(solar)) == ("Carbon neutral by 2030", "Rooftop solar")
    with translation.override("zh-hans"):
        assert (target.local_name, solar.local_title) == ("2030 年实现碳中和", "屋顶光伏")
        assert (str(target), str(solar)) == ("2030 年实现碳中和", "屋顶光伏")


def test_without_a_chinese_name_a_chinese_page_shows_the_english_one(target, solar):
    target.name_zh = solar.title_zh = ""
    with translation.override("zh-hans"):
        assert (target.local_name, solar.local_title) == ("Carbon neutral by 2030", "Rooftop solar")


def test_the_targets_page_shows_each_name_in_the_readers_language(
    client, django_user_model, target, solar
):
    user = django_user_model.objects.create_user("reader", password="reader-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_target"))
    client.force_login(user)
    url = reverse("dashboard:targets")

    english = client.get(url).content.decode()
    assert '<figcaption class="card-title">Carbon neutral by 2030</figcaption>' in english
    assert '<th scope="row">Rooftop solar</th>' in english

    chinese = client.get(url, headers={"accept-language": "zh-hans"}).content.decode()
    assert '<figcaption class="card-title">2030 年实现碳中和</figcaption>' in chinese
    assert '<th scope="row">屋顶光伏</th>' in chinese


def test_the_admin_takes_both_names_and_finds_either(admin_client, target, solar):
    form = admin_client.get(reverse("admin:neutrality_target_change", args=[target.pk])).text
    assert 'name="name_zh"' in form
    assert "Name (Chinese)" in form
    form = admin_client.get(
        reverse("admin:neutrality_reductioninitiative_change", args=[solar.pk])
    ).text
    assert 'name="title_zh"' in form
    found = admin_client.get(reverse("admin:neutrality_target_changelist"), {"q": "碳中和"})
    assert "Carbon neutral by 2030" in found.text
    found = admin_client.get(
        reverse("admin:neutrality_reductioninitiative_changelist"), {"q": "光伏"}
    )
    assert "Rooftop solar" in found.text


def test_the_demo_names_every_target_and_initiative_in_both_languages():
    assert all(target["name"] and target["name_zh"] for target in TARGETS)
    assert all(row[0] and row[1] for row in INITIATIVES)
