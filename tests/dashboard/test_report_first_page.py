"""The report's first page: neutral or not, on what basis; its evidence coverage, print and footer.

Worked example (Hebei 2023, MEE–NBS provincial factor 0.6516 kg CO2/kWh, AR5, approved):
10 MWh with two bills = 6,516 kg CO2e; 4.5 MWh with none = 2,932.2 kg. Evidence covers
6,516 / 9,448.2 = 68.97 % → 69.0 % of the tonnes (location-based, as records store them).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.evidence.services import attach_evidence
from emissions.neutrality.inventory import evidence_coverage
from tests.html_tables import page_tables, texts
from tests.neutrality.conftest import (  # noqa: F401 (fixtures)
    make_retirement,
    neutrality_target,
)

pytestmark = pytest.mark.django_db

URL_2023 = reverse("dashboard:report_year", kwargs={"year": 2023})
CSS_2023 = reverse("dashboard:report_print_css", kwargs={"year": 2023})
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def year_2023(organisation, hebei_plant, make_record, django_user_model):
    billed = make_record(hebei_plant, "grid_electricity", "10", "MWh")
    make_record(
        hebei_plant,
        "grid_electricity",
        "4.5",
        "MWh",
        start=dt.date(2023, 4, 1),
        end=dt.date(2023, 4, 30),
    )
    uploader = django_user_model.objects.create_user("uploader")
    for name in ("bill.pdf", "meter.pdf"):
        upload = SimpleUploadedFile(name, PDF, content_type="application/pdf")
        attach_evidence(record=billed, upload=upload, description="", user=uploader)
    ActivityRecord.objects.update(status="approved")
    return billed


@pytest.fixture
def reader(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    return client


def first_page(html: str) -> str:
    start = html.index('id="first-page"')
    return html[start : html.index("</section>", start)]


def test_the_inventory_gives_the_share_of_tonnes_with_evidence(year_2023):
    coverage = evidence_coverage(2023, approved_only=True)
    assert coverage.kg == Decimal("9448.2")
    assert coverage.kg_with_evidence == Decimal("6516")
    assert (coverage.records, coverage.records_with_evidence) == (2, 1)
    assert coverage.share_pct == Decimal("69.0")


def test_records_in_review_are_not_in_the_reports_coverage(year_2023, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100", "MWh")  # a draft
    assert evidence_coverage(2023, approved_only=True).kg == Decimal("9448.2")
    assert evidence_coverage(2023, approved_only=False).kg == Decimal("74608.2")


def test_the_first_page_answers_not_neutral_with_its_basis(reader, year_2023):
    page = first_page(reader.get(URL_2023).content.decode())
    assert "Carbon neutral in 2023?" in page
    assert '<span class="badge badge-fail">No</span>' in page
    # No target: all scopes, Scope 2 market-based. Without certificates the 14.5 MWh are rated
    # at the national residual-mix factor, 0.6096 kg/kWh (2023, excluding market-traded
    # non-fossil power) = 8,839.2 kg; no credits, so net = gross.
    assert "Not carbon neutral in 2023: 8.839 tCO2e remain after credits." in page
    assert '<dt>Gross emissions within the boundary</dt><dd class="num">8.839 tCO2e</dd>' in page
    assert '<dt>Net emissions</dt><dd class="num"><strong>8.839 tCO2e</strong></dd>' in page
    assert "<dt>Data</dt><dd>Approved records only: 2 records of 2023.</dd>" in page
    assert (
        "<dt>Boundary</dt><dd>No neutrality target is set: all scopes "
        "(Scope 1; Scope 2; all of Scope 3).</dd>"
    ) in page
    assert "<dt>Scope 2 method</dt><dd>Market-based: certificates first" in page
    assert "<dt>GWP basis</dt><dd>IPCC AR5 (2014)</dd>" in page
    assert (
        "<dt>Evidence</dt><dd>69.0 % of the tonnes have evidence files attached "
        "(1 of 2 records).</dd>"
    ) in page


def test_the_first_page_answers_neutral_when_credits_cover_the_gross(
    reader,
    year_2023,
    make_retirement,  # noqa: F811
    neutrality_target,  # noqa: F811
):
    make_retirement("20", kind="removal")
    page = first_page(reader.get(URL_2023).content.decode())
    assert '<span class="badge badge-ok">Yes</span>' in page
    # 8,839.2 kg within the target's boundary (Scopes 1 and 2) − 20 t of removals = −11.1608 t.
    assert "Carbon neutral in 2023: net emissions" in page
    assert '<dt>Credits retired for the year</dt><dd class="num">20.000 tCO2e</dd>' in page
    assert "11.161 tCO2e</strong></dd>" in page
    assert (
        "The neutrality target “Carbon neutral 2030” covers Scope 1; Scope 2; "
        "Scope 3: 3.6 Business travel."
    ) in page


def test_records_in_review_are_named_on_the_first_page(reader, year_2023, hebei_plant, make_record):
    make_record(hebei_plant, "grid_electricity", "100", "MWh")
    page = first_page(reader.get(URL_2023).content.decode())
    assert "Approved records only: 2 records of 2023. 1 record still in review is not" in page


def test_the_evidence_table_splits_the_tonnes_and_links_the_missing_ones(reader, year_2023):
    table = page_tables(reader.get(URL_2023).content.decode())["table-evidence"]
    assert texts(table.head) == [["Evidence", "Records", "t CO2e", "Share of tCO2e (%)"]]
    assert texts(table.body) == [
        ["With evidence files", "1", "6.516", "69.0 %"],
        ["Without evidence files", "1", "2.932", "31.0 %"],
    ]
    assert texts(table.foot) == [["All approved records", "2", "9.448", ""]]
    missing = table.body[1][0]
    assert missing[1] == "/ledger/?year=2023&review=approved&evidence=missing"


def test_the_print_button_is_hidden_until_its_script_shows_it(reader, year_2023):
    html = reader.get(URL_2023).content.decode()
    assert '<button type="button" class="button-secondary" data-print hidden>Print</button>' in html
    assert '<script src="/static/js/print.js"></script>' in html
    assert "onclick" not in html  # the Content-Security-Policy runs no inline script


def test_the_page_links_its_print_stylesheets(reader, year_2023):
    html = reader.get(URL_2023).content.decode()
    assert f'<link rel="stylesheet" href="{CSS_2023}" media="print">' in html
    assert 'href="/static/css/print.css" media="print"' in html


def test_the_print_footer_names_the_organisation_and_the_year(reader, year_2023):
    response = reader.get(CSS_2023)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == (
        '@page { @bottom-left { content: "Kehui test · GHG inventory 2023"; } }\n'
    )


def test_the_print_footer_escapes_what_could_end_its_css_string(reader, year_2023, organisation):
    organisation.name_en = 'Kehui "A" \\ Co.\n</style>'
    organisation.save()
    css = reader.get(CSS_2023).content.decode()
    assert 'content: "Kehui \\"A\\" \\\\ Co.\\A \\3C /style> · GHG inventory 2023"' in css


def test_the_print_footer_is_in_the_pages_language(reader, year_2023, organisation):
    organisation.name_zh = "邢台科汇"
    organisation.save()
    css = reader.get(CSS_2023, headers={"accept-language": "zh-hans"}).content.decode()
    assert "邢台科汇 · " in css


def test_the_print_footer_needs_the_record_permission(client, django_user_model, year_2023):
    assert client.get(CSS_2023).status_code == 302
    client.force_login(django_user_model.objects.create_user("outsider", password="x"))
    assert client.get(CSS_2023).status_code == 403


def test_the_print_footer_takes_get_only(reader, year_2023):
    assert reader.post(CSS_2023).status_code == 405
