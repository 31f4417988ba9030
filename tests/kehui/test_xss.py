"""Text typed by staff comes back escaped on every page, in chart JSON and in every download."""

import csv
import html
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from emissions.dashboard.pages import facilities as facilities_page
from emissions.dashboard.pages import offsets as offsets_page
from emissions.dashboard.pages import overview as overview_page
from emissions.dashboard.pages import targets as targets_page
from tests.kehui import security_objects

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
]
JSON_SCRIPT = re.compile(r'<script id="([^"]+)" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute", "script-close"])
def payload(request):
    return request.param


@pytest.fixture
def objects(organisation, superuser, payload):
    return security_objects.build(organisation, superuser, text=payload)


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


def pages(objects) -> dict[str, str]:
    year = security_objects.YEAR
    return {
        "overview": reverse("dashboard:home") + f"?year={year}",
        "facilities": reverse("dashboard:facility_list"),
        "facility": reverse("dashboard:facility_detail", args=[objects.facility.code]),
        "ledger": reverse("dashboard:ledger"),
        "record": reverse("dashboard:record_detail", args=[objects.record.pk]),
        "offsets": reverse("dashboard:offsets") + f"?year={year}",
        "targets": reverse("dashboard:targets") + f"?year={year}",
        "report": reverse("dashboard:report_year", args=[year]),
        "import": reverse("dashboard:import"),
        "import batch": reverse("dashboard:import_batch", args=[objects.import_batch.pk]),
    }


def json_escaped(text: str) -> str:
    """How json_script writes text: JSON, then < > & as \\u003C \\u003E \\u0026."""
    return json.dumps(text)[1:-1].translate(
        {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
    )


@pytest.mark.django_db
def test_no_page_shows_the_payload_unescaped(admin_client_, objects, payload):
    for page, url in pages(objects).items():
        response = admin_client_.get(url)
        assert response.status_code == 200, f"{page}: {response.status_code}"
        body = response.content.decode()
        assert payload not in body, f"{page} shows {payload!r} unescaped"
        shown = html.escape(payload, quote=True)
        # Django escapes ' as &#x27; and " as &quot;, as html.escape does (but ' → &#x27;).
        assert shown in body or json_escaped(payload) in body, f"{page} does not show the text"


def strings(value):
    """Every string inside decoded JSON."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


@pytest.mark.django_db
def test_chart_json_escapes_the_payload_and_still_carries_it(admin_client_, objects, payload):
    carried = []
    for page, url in pages(objects).items():
        body = admin_client_.get(url).content.decode()
        for chart_id, data in JSON_SCRIPT.findall(body):
            # Nothing in the block can end it or open a tag: < > & are all \u escapes.
            assert not set("<>&") & set(data), f"{page} {chart_id}: a raw < > or &"
            if any(payload in text for text in strings(json.loads(data))):
                carried.append((page, chart_id))
                assert json_escaped(payload) in data, f"{page} {chart_id}"
    # Chart labels use facility codes; the initiatives' titles label the abatement cost curve.
    assert ("targets", "chart-mac") in carried, carried


@pytest.mark.django_db
def test_the_pages_embed_no_inline_script_but_json(admin_client_, objects):
    for page, url in pages(objects).items():
        body = admin_client_.get(url).content.decode()
        for attributes in re.findall(r"<script([^>]*)>", body):
            assert "src=" in attributes or 'type="application/json"' in attributes, (
                f"{page}: inline script <script{attributes}>"
            )


def export_urls(objects) -> list[str]:
    year = security_objects.YEAR
    code = objects.facility.code
    urls = [reverse("dashboard:ledger_export", args=["csv"])]
    for name, specs, args in [
        ("dashboard:overview_export", overview_page.OVERVIEW, []),
        ("dashboard:facility_list_export", facilities_page.FACILITY_LIST, []),
        ("dashboard:facility_detail_export", facilities_page.FACILITY_DETAIL, [code]),
        ("dashboard:offsets_export", offsets_page.OFFSETS, []),
        ("dashboard:targets_export", targets_page.TARGETS, []),
    ]:
        urls += [reverse(name, args=[*args, table, "csv"]) + f"?year={year}" for table in specs]
    return urls


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.django_db
def test_csv_downloads_carry_the_payload_as_plain_text(admin_client_, objects, payload):
    found = []
    for url in export_urls(objects):
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        text = b"".join(response.streaming_content if response.streaming else [response.content])
        for row in csv.reader(io.StringIO(text.decode("utf-8-sig"))):
            for cell in row:
                if payload in cell:
                    found.append(url)
                    assert not cell.startswith(FORMULA_STARTS), (url, cell)
    assert any("/ledger/" in url for url in found), found
    assert any("/offsets/" in url for url in found), found
    assert any("/targets/" in url for url in found), found


@pytest.mark.django_db
def test_xlsx_downloads_carry_the_payload_as_text_cells(admin_client_, objects, payload):
    urls = [url.replace(".csv", ".xlsx") for url in export_urls(objects)]
    urls.append(reverse("dashboard:report_xlsx", args=[security_objects.YEAR]))
    found = []
    for url in urls:
        response = admin_client_.get(url)
        assert response.status_code == 200, url
        content = b"".join(response.streaming_content) if response.streaming else response.content
        workbook = load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and payload in cell.value:
                        found.append(url)
                        assert cell.data_type == "s", (url, cell.coordinate, cell.data_type)
    assert any("/ledger/" in url for url in found), found
    assert any("/report/" in url for url in found), found


@pytest.mark.django_db
def test_a_formula_typed_as_text_is_neutralised_in_downloads(
    admin_client_, organisation, superuser
):
    """The counterpart: text that would run as a formula is made inert (README)."""
    objects = security_objects.build(organisation, superuser, text="=HYPERLINK(1)")
    response = admin_client_.get(reverse("dashboard:ledger_export", args=["csv"]))
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    cells = [cell for row in csv.reader(io.StringIO(text.decode("utf-8-sig"))) for cell in row]
    assert objects.facility.name_en.startswith("=")
    assert not any(cell.startswith("=HYPERLINK") for cell in cells)
    assert any("=HYPERLINK(1)" in cell for cell in cells)
