"""Numbers for people, in both languages."""

from decimal import Decimal

import pytest
from django.utils import translation

from emissions.dashboard.templatetags.kehui_format import mwh, percent, signed_percent, tonnes


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
