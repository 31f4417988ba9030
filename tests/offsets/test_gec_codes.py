"""GECs entered by their 32-character codes: decoded, valid for two years, claimed once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from emissions.offsets import gec, services
from emissions.offsets.models import (
    CertificateScheme,
    ClaimedGecCode,
    CreditProject,
    EnergyCertificate,
    Technology,
)
from tests.factories import GEC_PROJECT, gec_code, gec_codes

from .conftest import MARCH_2024

# The worked example of docs/methodology.md ("GEC codes"): a wind farm's GEC produced in
# March 2024, sequence 1,234, electricity class 1, trading class 2.
EXAMPLE = "11301232024000017202403000123412"


def test_a_code_is_read_field_by_field():
    code = gec.parse(EXAMPLE)
    assert code.project_code == "11301232024000017"
    assert (code.production_year, code.production_month) == (2024, 3)
    assert code.sequence == 1234
    assert (code.electricity_class, code.trading_class) == ("1", "2")
    # Valid for two years counted from the production month, that month included.
    assert code.produced_from == dt.date(2024, 3, 1)
    assert code.produced_until == dt.date(2024, 3, 31)
    assert code.valid_until == dt.date(2026, 2, 28)
    assert [year for year in range(2023, 2028) if code.usable_in(year)] == [2024, 2025, 2026]


def test_a_code_pasted_with_spaces_dashes_or_lower_case_is_read():
    assert gec.parse("11301232024000017-202403-0001234 1 2").code == EXAMPLE
    assert gec.parse("demosolar00000001 202406 0000001 11").project_code == "DEMOSOLAR00000001"


def test_a_december_code_is_valid_until_the_november_two_years_on():
    assert gec.parse(gec_code(1, year=2024, month=12)).valid_until == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1130123", "A GEC code has 32 characters; 1130123 has 7."),
        ("", 'A GEC code has 32 characters; "" has 0.'),
        (
            EXAMPLE[:20] + "X" + EXAMPLE[21:],
            f"{EXAMPLE[:20]}X{EXAMPLE[21:]} is not a GEC code: 17 letters or digits (the "
            "project's filing code), then the production year and month (6 digits), the sequence "
            "number (7 digits), the electricity class and the trading class.",
        ),
        (
            EXAMPLE[:21] + "13" + EXAMPLE[23:],
            f"{EXAMPLE[:21]}13{EXAMPLE[23:]} has production month 2024-13, which is not a valid "
            "month.",
        ),
    ],
)
def test_a_wrong_code_is_refused_with_what_is_wrong(text, message):
    with pytest.raises(gec.GecCodeError) as error:
        gec.parse(text)
    assert str(error.value) == message


def test_a_range_counts_its_codes_and_lists_them():
    block = gec.parse_range(gec_code(9), gec_code(11))
    assert block.count == 3
    assert list(block.codes()) == [gec_code(9), gec_code(10), gec_code(11)]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (
            gec_code(1),
            gec_code(5, month=2),
            f"{gec_code(1)} and {gec_code(5, month=2)} are not one range: a range's codes differ "
            "only in the sequence number (characters 24–30); the project, production month and "
            "classes must be the same.",
        ),
        (
            gec_code(5),
            gec_code(1),
            f"The last code {gec_code(1)} precedes the first {gec_code(5)}.",
        ),
        (
            gec_code(1),
            gec_code(1_000_001),
            "1,000,001 certificates in one range: enter at most 1,000,000 at a time.",
        ),
    ],
)
def test_a_wrong_range_is_refused(first, last, message):
    with pytest.raises(gec.GecCodeError) as error:
        gec.parse_range(first, last)
    assert str(error.value) == message


# The service: every path that adds certificates (admin form, demo) goes through it.


@pytest.fixture
def grid_2024(hebei_plant, make_record):
    """100 MWh of grid electricity at the main plant in March 2024 (and in March 2026)."""
    make_record(hebei_plant, "grid_electricity", Decimal("100"), "MWh", **MARCH_2024)
    make_record(
        hebei_plant,
        "grid_electricity",
        Decimal("100"),
        "MWh",
        start=dt.date(2026, 3, 1),
        end=dt.date(2026, 3, 31),
    )
    return hebei_plant


def add(facility, first, count, *, year=2024, reporting_year=2024, mwh=None, **overrides):
    arguments = {
        "scheme": CertificateScheme.GEC,
        "registry": "",
        "technology": Technology.WIND,
        **gec_codes(first, count, year=year, month=3),
        "mwh": Decimal(count if mwh is None else mwh),
        "facility": facility,
        "reporting_year": reporting_year,
        **overrides,
    }
    return services.add_energy_certificates(**arguments)


def messages(error: ValidationError) -> dict:
    return {
        field: [str(message) for message in errors] for field, errors in error.message_dict.items()
    }


def test_a_range_is_claimed_code_by_code_and_read_from_its_codes(grid_2024):
    certificate = add(grid_2024, 101, 10)
    certificate.refresh_from_db()
    assert (certificate.serial_first, certificate.serial_last) == (101, 110)
    assert (certificate.generation_start, certificate.generation_end) == (
        dt.date(2024, 3, 1),
        dt.date(2024, 3, 31),
    )
    assert certificate.registry == services.certificates.GEC_REGISTRY
    assert certificate.gec_code_first == gec_code(101, month=3)
    assert certificate.gec_code_last == gec_code(110, month=3)
    assert list(certificate.gec_codes.order_by("code").values_list("code", flat=True)) == [
        gec_code(sequence, month=3) for sequence in range(101, 111)
    ]
    assert str(certificate) == (
        f"China green electricity certificate (GEC) {gec_code(101, month=3)}–"
        f"{gec_code(110, month=3)}"
    )


def test_the_count_of_a_range_must_match_the_mwh(grid_2024):
    with pytest.raises(ValidationError) as error:
        add(grid_2024, 1, 10, mwh=9)
    assert messages(error.value) == {
        "mwh": [
            f"Codes {gec_code(1, month=3)}–{gec_code(10, month=3)} are 10 GECs, not 9 MWh: one "
            "GEC is one MWh."
        ]
    }
    assert not EnergyCertificate.objects.exists()


def test_a_certificate_outside_its_validity_is_refused_with_the_dates(grid_2024):
    # Produced in March 2024: valid from 2024-03-01 to 2026-02-28, so not for 2027 …
    with pytest.raises(ValidationError) as error:
        add(None, 1, 10, reporting_year=2027)
    assert messages(error.value) == {
        "reporting_year": [
            "GECs produced in 2024-03 are valid from 2024-03-01 to 2026-02-28: they cannot "
            "cover consumption in 2027."
        ]
    }
    # … nor for 2023, before it was produced.
    with pytest.raises(ValidationError) as error:
        add(None, 1, 10, reporting_year=2023)
    assert messages(error.value)["reporting_year"][0].endswith("consumption in 2023.")
    assert not ClaimedGecCode.objects.exists()
    # 2026 is in the window (its January and February).
    assert add(grid_2024, 1, 10, reporting_year=2026).reporting_year == 2026


def test_the_same_code_is_never_claimed_twice_across_facilities_and_years(
    grid_2024, casting_workshop
):
    first = add(grid_2024, 1, 10)
    # An overlapping range, for the organisation and another year: refused, nothing written.
    with pytest.raises(ValidationError) as error:
        add(None, 8, 5, reporting_year=2026)
    assert messages(error.value) == {
        "__all__": [
            f"GEC {gec_code(8, month=3)} is already claimed by {first} (applied to "
            "XT-01 Xingtai main plant for 2024): a certificate can be claimed once."
        ]
    }
    assert EnergyCertificate.objects.count() == 1
    assert ClaimedGecCode.objects.count() == 10
    # The next codes are free.
    add(grid_2024, 11, 5)
    assert ClaimedGecCode.objects.count() == 15


def test_the_database_refuses_a_code_claimed_twice(grid_2024):
    certificate = add(grid_2024, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimedGecCode.objects.create(code=gec_code(1, month=3), certificate=certificate)


def test_gecs_of_a_credit_project_plant_are_refused(grid_2024, ccer_forest):
    CreditProject.objects.filter(pk=ccer_forest.pk).update(gec_project_code=GEC_PROJECT)
    with pytest.raises(ValidationError) as error:
        add(grid_2024, 1, 10)
    assert messages(error.value) == {
        "gec_code_first": [
            f"GECs of plant {GEC_PROJECT} cannot be claimed: the plant is credit project "
            f"{CreditProject.objects.get()}, whose credits already count its electricity."
        ]
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"gec_code_first": ""},
            "gec_code_first",
            "GECs are entered by their codes: give the first and the last code.",
        ),
        (
            {"gec_code_last": "12345"},
            "gec_code_last",
            "A GEC code has 32 characters; 12345 has 5.",
        ),
        (
            {"scheme": CertificateScheme.IREC},
            "gec_code_first",
            "GEC codes belong to GECs: choose the GEC scheme or leave the codes empty.",
        ),
    ],
)
def test_missing_or_misplaced_codes_are_refused(grid_2024, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        add(grid_2024, 1, 10, **overrides)
    assert messages(error.value) == {field: [message]}


def test_the_admin_change_page_shows_what_the_codes_say(admin_client, grid_2024):
    certificate = add(grid_2024, 1234, 1)
    response = admin_client.get(
        reverse("admin:offsets_energycertificate_change", args=[certificate.pk])
    )
    html = response.content.decode()
    assert (
        f"Project filing code: {GEC_PROJECT}<br>Production month: 2024-03<br>"
        "Sequence numbers: 1234–1234<br>Valid: 2024-03-01 – 2026-02-28<br>"
        "Electricity class: 1, Trading class: 1"
    ) in html
