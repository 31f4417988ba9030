"""Target validation."""

import pytest
from django.core.exceptions import ValidationError

from emissions.neutrality.models import Target

pytestmark = pytest.mark.django_db


def make_target(**overrides) -> Target:
    values = {
        "name": "Neutral by 2030",
        "kind": "neutrality",
        "base_year": 2019,
        "target_year": 2030,
        **overrides,
    }
    return Target(**values)


@pytest.mark.parametrize("codes", [["s3_16"], ["s1_stationary"], "s3_06", [6]])
def test_a_target_rejects_anything_but_scope3_category_codes(codes):
    with pytest.raises(ValidationError) as excinfo:
        make_target(scope3_categories=codes).full_clean()
    assert excinfo.value.message_dict["scope3_categories"] == [
        'List Scope 3 category codes from s3_01 to s3_15, e.g. ["s3_06"].'
    ]


def test_a_target_accepts_scope3_category_codes():
    make_target(scope3_categories=["s3_05", "s3_06"]).full_clean()


def test_a_target_year_before_the_base_year_is_rejected():
    with pytest.raises(ValidationError) as excinfo:
        make_target(target_year=2018).full_clean()
    assert "The target year must come after the base year." in excinfo.value.messages


def test_a_reduction_target_needs_its_percentage():
    with pytest.raises(ValidationError) as excinfo:
        make_target(kind="absolute").full_clean()
    assert "A reduction target needs its reduction percentage." in excinfo.value.messages
