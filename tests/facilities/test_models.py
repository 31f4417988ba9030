import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from emissions.facilities.models import Facility, Organisation

pytestmark = pytest.mark.django_db


def make_facility(**overrides) -> Facility:
    values = {
        "code": "XT-01",
        "name_en": "Xingtai main plant",
        "kind": "factory",
        "province": "CN-HE",
        "grid_region": "CN-North",
        "opened_on": dt.date(2010, 1, 1),
        **overrides,
    }
    return Facility(**values)


def test_a_valid_facility_saves_and_walks_province_grid_country_global():
    facility = make_facility()
    facility.full_clean()
    facility.save()
    assert facility.region_chain == ["CN-HE", "CN-North", "CN", "GLOBAL"]


def test_a_facility_outside_china_walks_country_then_global():
    facility = make_facility(country="US", province="", grid_region="")
    assert facility.region_chain == ["US", "GLOBAL"]


def test_the_database_rejects_a_duplicate_code():
    make_facility().save()
    with pytest.raises(IntegrityError):
        make_facility(name_en="Another").save()


@pytest.mark.parametrize("share", [Decimal("-0.01"), Decimal("100.01")])
def test_the_database_rejects_an_ownership_share_outside_0_to_100(share):
    with pytest.raises(IntegrityError):
        Facility.objects.bulk_create([make_facility(ownership_share=share)])


@pytest.mark.parametrize("share", [Decimal("0"), Decimal("100")])
def test_an_ownership_share_at_the_bounds_is_accepted(share):
    make_facility(ownership_share=share).save()


def test_the_database_rejects_closing_before_opening():
    with pytest.raises(IntegrityError):
        Facility.objects.bulk_create(
            [make_facility(opened_on=dt.date(2020, 5, 1), closed_on=dt.date(2020, 4, 30))]
        )


def test_validation_names_the_problem_when_closing_before_opening():
    facility = make_facility(opened_on=dt.date(2020, 5, 1), closed_on=dt.date(2020, 4, 30))
    with pytest.raises(ValidationError) as excinfo:
        facility.full_clean()
    assert "A facility must close after the day it opened." in excinfo.value.messages


def test_validation_rejects_a_province_for_a_site_outside_china():
    facility = make_facility(country="GB", grid_region="")
    with pytest.raises(ValidationError) as excinfo:
        facility.full_clean()
    assert "A Chinese province can only be set when the country is CN." in excinfo.value.messages


def test_validation_rejects_a_lower_case_code_and_country():
    facility = make_facility(code="xt 01", country="cn")
    with pytest.raises(ValidationError) as excinfo:
        facility.full_clean()
    assert set(excinfo.value.message_dict) >= {"code", "country"}


def test_the_chinese_name_is_shown_only_in_chinese(settings):
    from django.utils import translation

    facility = make_facility(name_zh="邢台总厂")
    with translation.override("zh-hans"):
        assert facility.local_name == "邢台总厂"
    with translation.override("en"):
        assert facility.local_name == "Xingtai main plant"
    with translation.override("zh-hans"):
        assert make_facility(name_zh="").local_name == "Xingtai main plant"


def test_the_organisation_profile_is_a_single_row():
    Organisation(name_en="First", base_year=2019).save()
    Organisation(name_en="Second", base_year=2020).save()
    assert Organisation.objects.count() == 1
    assert Organisation.current().name_en == "Second"


def test_the_database_refuses_a_second_organisation_row():
    with pytest.raises(IntegrityError):
        Organisation.objects.bulk_create([Organisation(id=2, name_en="Other", base_year=2019)])
