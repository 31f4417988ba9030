"""Numbers for people, in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from emissions.dashboard.templatetags.kehui_format import (
    grouped,
    mwh,
    percent,
    signed_percent,
    tonnes,
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tonnes_are_grouped_in_threes_and_rounded_half_up(language):
    with translation.override(language):
        assert tonnes(Decimal("12345650")) == "12,345.7"
        assert tonnes(Decimal("12345649.999")) == "12,345.6"
        assert tonnes(Decimal("6516"), 3) == "6.516"


def test_missing_values_show_a_dash():
    assert tonnes(None) == "—"
    assert percent(None) == "—"
    assert signed_percent(None) == "—"


def test_changes_carry_their_sign():
    assert signed_percent(Decimal("3.14")) == "+3.1 %"
    assert signed_percent(Decimal("-8.65")) == "−8.7 %"
    assert signed_percent(Decimal("0")) == "0.0 %"


def test_kwh_are_shown_as_mwh():
    assert mwh(Decimal("1234567")) == "1,234.6"


VALUES = ["0", "-0.000", "7", "999.5", "1000", "-1234567.891", "12345678901234.567890", "0.001"]


@pytest.mark.parametrize("language", ["en", "zh-hans", "de", "fr", "hi"])
@pytest.mark.parametrize("places", [0, 1, 3])
def test_the_fast_grouping_writes_what_number_format_writes(language, places):
    # German swaps the separators, French groups with a space, Hindi groups 3-then-2 (the slow
    # path): whatever the locale, the text is Django's.
    with translation.override(language):
        for text in VALUES:
            value = Decimal(text).quantize(Decimal(1).scaleb(-places))
            expected = number_format(value, places, use_l10n=True, force_grouping=True)
            assert grouped(value, places) == expected, (language, value)
