"""The import template's example rows import as they are: an open facility, a year open to data."""

import csv
import datetime as dt
import io

import pytest

from emissions.activities import imports
from emissions.facilities import periods
from emissions.facilities.models import Facility

pytestmark = pytest.mark.django_db


def facility(code: str, *, kind="factory", opened=dt.date(2010, 1, 1), closed=None) -> Facility:
    return Facility.objects.create(
        code=code,
        name_en=f"Site {code}",
        kind=kind,
        province="CN-HE",
        grid_region="CN-North",
        opened_on=opened,
        closed_on=closed,
    )


def template_csv() -> bytes:
    sheet = imports.ImportTemplate.load().csv_sheet()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(sheet.header)
    writer.writerows(sheet.rows)
    return out.getvalue().encode()


def example_rows() -> list[list[str]]:
    return imports.ImportTemplate.load().examples()


def test_a_closed_facility_is_never_the_example_even_when_first_by_code(organisation):
    facility("AA-01", closed=dt.date(2024, 6, 30))
    facility("ZZ-01")
    rows = example_rows()
    assert {row[0] for row in rows} == {"ZZ-01"}
    check = imports.check_file("template.csv", template_csv())
    assert (check.errors, check.record_count) == ([], 2)


def test_a_facility_closing_later_is_still_open(organisation):
    facility("AA-01", closed=dt.date(2099, 12, 31))
    assert example_rows()[0][0] == "AA-01"


def test_a_factory_is_preferred_to_an_office_for_the_gas_row(organisation):
    facility("AA-OF", kind="office")
    facility("XT-01")
    rows = example_rows()
    assert [row[:2] for row in rows] == [
        ["XT-01", "grid_electricity"],
        ["XT-01", "natural_gas_stationary"],
    ]


def test_the_examples_use_each_types_default_unit_and_a_valid_february(organisation):
    facility("XT-01")
    electricity, gas = example_rows()
    assert electricity[2:6] == ["2024-01-01", "2024/1/31", "120000", "kWh"]
    assert gas[2:4] == ["2024-02-01", "2024/2/29"]
    assert gas[5] == "m**3"  # the type's default unit (shown as m³ where people read it)


def test_a_facility_opened_after_the_example_year_moves_the_examples_later(organisation):
    facility("XT-09", opened=dt.date(2024, 5, 1))
    rows = example_rows()
    assert [row[2] for row in rows] == ["2025-01-01", "2025-02-01"]
    assert rows[1][3] == "2025/2/28"
    check = imports.check_file("template.csv", template_csv())
    assert (check.errors, check.record_count) == ([], 2)


def test_a_locked_year_is_skipped_so_the_examples_can_still_be_imported(
    organisation, django_user_model
):
    facility("XT-01")
    approver = django_user_model.objects.create_user("locker", password="locker-pass-123")
    periods.lock_year(year=2024, user=approver)
    periods.lock_year(year=2025, user=approver)
    assert [row[2] for row in example_rows()] == ["2026-01-01", "2026-02-01"]
    check = imports.check_file("template.csv", template_csv())
    assert (check.errors, check.record_count) == ([], 2)
