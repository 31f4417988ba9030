"""One Table for the page and its download: formats, links and footers (tables.py, _table.html).

Each page's own tests check that its tables render from its Table objects; these check the
pieces they share, on a small hand-made table.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from openpyxl import load_workbook

from emissions.dashboard.spreadsheet import Link, Table, csv_response, xlsx_response
from emissions.dashboard.tables import shown

T = Decimal

TABLE = Table(
    "By facility",
    ["Facility", "2023 (t CO2e)", "Share", "Records"],
    [
        [Link("XT-01", "/ledger/?facility=XT-01"), T("4212.34567"), T("91.25"), 12],
        ["SH-OF", T("-0.04"), None, 3],
    ],
    formats=["text", "t", "pct", "int"],
    footer=["Total", T("4212.30567"), None, 15],
)


def render(table: Table, **options) -> str:
    template = Template(
        '{% load kehui_tables %}{% data_table tables "facilities" caption=caption %}'
    )
    return template.render(Context({"tables": {"facilities": table}, **options}))


def test_the_page_rounds_by_column_format_and_aligns_numbers():
    # A missing value is a dash in the body; a total leaves blank what it does not total.
    with translation.override("en"):
        html = render(TABLE, caption="")
    assert '<table class="data-table compact" id="table-facilities">' in html
    assert (
        '<thead><tr><th scope="col">Facility</th><th scope="col" class="num">2023 (t CO2e)</th>'
        '<th scope="col" class="num">Share</th><th scope="col" class="num">Records</th>'
        "</tr></thead>"
    ) in html
    assert (
        '<tr><th scope="row"><a href="/ledger/?facility=XT-01">XT-01</a></th>'
        '<td class="num">4,212.3</td><td class="num">91.3 %</td><td class="num">12</td></tr>'
    ) in html
    # Rounded half-up to zero: no "-0.0"; a missing value is a dash.
    assert (
        '<tr><th scope="row">SH-OF</th><td class="num">0.0</td><td class="num">—</td>'
        '<td class="num">3</td></tr>'
    ) in html
    assert (
        '<tfoot><tr><th scope="row">Total</th><td class="num">4,212.3</td>'
        '<td class="num"></td><td class="num">15</td></tr></tfoot>'
    ) in html


def test_the_page_groups_numbers_as_the_language_does():
    with translation.override("zh-hans"):
        html = render(TABLE, caption="")
    assert '<td class="num">4,212.3</td>' in html


def test_a_caption_is_shown_and_an_empty_table_says_so():
    empty = Table("Nothing", ["Year", "t CO2e"], [], formats=["text", "t"])
    html = render(empty, caption="Cheapest first")
    assert '<caption class="muted">Cheapest first</caption>' in html
    assert '<tr><td colspan="2" class="muted">—</td></tr>' in html
    assert "<tfoot>" not in html


def test_the_csv_writes_exact_values_link_values_and_the_footer_last():
    response = csv_response(TABLE, filename_stem="t")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Facility", "2023 (t CO2e)", "Share", "Records"],
        ["XT-01", "4212.34567", "91.25", "12"],
        ["SH-OF", "-0.04", "", "3"],
        ["Total", "4212.30567", "", "15"],
    ]


def test_the_xlsx_writes_numbers_as_numbers_and_the_footer_last():
    response = xlsx_response(TABLE, filename_stem="t")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["XT-01", 4212.34567]
    assert values[3] == ["Total", 4212.30567, None, 15]


def test_a_link_to_a_formula_is_still_text_in_the_download():
    table = Table("x", ["Name"], [[Link("=HYPERLINK(1)", "/a/")]])
    response = csv_response(table, filename_stem="t")
    assert "'=HYPERLINK(1)" in response.content.decode("utf-8-sig")


def test_an_unknown_format_is_a_programming_error_named_by_its_table():
    table = Table("Broken", ["A"], [[1]], formats=["tonnes"])
    with pytest.raises(ValueError, match="Unknown column format \\['tonnes'\\] in table 'Broken'"):
        shown(table)


def test_a_row_longer_than_the_header_is_refused():
    table = Table("Broken", ["A"], [[1, 2]])
    with pytest.raises(ValueError):
        shown(table)
