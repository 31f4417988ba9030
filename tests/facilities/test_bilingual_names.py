"""Names entered in two languages, shown in the page's language; every model's plural names."""

import datetime as dt

import pytest
from django.apps import apps
from django.utils import translation

from emissions.facilities.models import Facility
from emissions.facilities.names import in_page_language


@pytest.mark.parametrize(
    ("language", "english", "chinese", "shown"),
    [
        ("zh-hans", "Main plant", "总厂", "总厂"),
        ("en", "Main plant", "总厂", "Main plant"),
        # Each falls back to the other when it is empty.
        ("zh-hans", "Main plant", "", "Main plant"),
        ("en", "", "总厂", "总厂"),
    ],
)
def test_a_name_is_shown_in_the_pages_language_or_else_the_other(language, english, chinese, shown):
    with translation.override(language):
        assert in_page_language(english, chinese) == shown


@pytest.mark.django_db
def test_a_facility_is_named_in_the_pages_language():
    facility = Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        name_zh="邢台总厂",
        kind="factory",
        opened_on=dt.date(2008, 1, 1),
    )
    with translation.override("zh-hans"):
        assert facility.local_name == "邢台总厂"
    assert facility.local_name == "Xingtai main plant"


@pytest.mark.parametrize("app_label", ["facilities", "neutrality", "offsets"])
def test_every_model_names_its_plural_itself(app_label):
    # Django's default plural adds an "s": "facility outputs" is right, "目标s" is not.
    for model in apps.get_app_config(app_label).get_models():
        if model.__name__.startswith("Historical"):
            continue
        assert "verbose_name_plural" in model._meta.original_attrs, model.__name__


def test_the_plural_names_read_in_english():
    plurals = {
        model.__name__: str(model._meta.verbose_name_plural)
        for label in ("facilities", "neutrality", "offsets")
        for model in apps.get_app_config(label).get_models()
        if not model.__name__.startswith("Historical")
    }
    assert plurals == {
        "Organisation": "organisation profile",
        "Facility": "facilities",
        "FacilityOutput": "facility outputs",
        "ReportingYearLock": "reporting year locks",
        "Target": "targets",
        "ReductionInitiative": "reduction initiatives",
        "Restatement": "restatements",
        "CreditProject": "credit projects",
        "CreditBatch": "credit batches",
        "Retirement": "retirements",
        "RetirementReversal": "retirement reversals",
        "TreePlanting": "tree planting",
        "EnergyCertificate": "energy attribute certificates",
        "ClaimedGecCode": "claimed GEC codes",
        "GreenPowerContract": "green-power contracts",
        "ContractSettlement": "contract settlements",
        "ContractGenerationDay": "contract generation days",
        "AllowanceTransaction": "ETS allowance transactions",
    }
