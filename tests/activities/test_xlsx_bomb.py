"""XLSX decompression bombs are refused before openpyxl reads them, in little memory (issue 15)."""

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emissions import xlsx_guard
from emissions.activities.imports import reading
from tests import xlsx_files

MB = 1024 * 1024
# What a refused upload may cost over what the worker held before it.
MEMORY_BUDGET = 50 * MB
ROOT = Path(__file__).resolve().parents[2]


def refusal(content: bytes) -> str:
    with pytest.raises(reading.FileUnreadable) as refused:
        _header, rows = reading.read_rows("upload.xlsx", content)
        list(rows)
    return refused.value.message


def peak_while_refusing(content: bytes) -> tuple[str, int]:
    """The message, and the most memory Python held while refusing `content`."""
    tracemalloc.start()
    try:
        message = refusal(content)
        return message, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_valid_workbook_still_reads():
    content = xlsx_files.normal([["facility", "quantity"], ["XT-01", "12.5"]])
    header, rows = reading.read_rows("records.xlsx", content)
    assert header == ["facility", "quantity"]
    assert list(rows) == [(2, ["XT-01", "12.5"])]


def test_a_200_mb_cell_is_refused_by_its_declared_size_in_little_memory():
    bomb = xlsx_files.one_huge_shared_string(200 * MB)
    assert len(bomb) < MB

    message, peak = peak_while_refusing(bomb)

    assert message == "The part xl/sharedStrings.xml of the XLSX file unpacks to more than 200 MB."
    assert peak < MEMORY_BUDGET


def test_a_member_that_inflates_a_thousandfold_is_refused_as_a_zip_bomb():
    bomb = xlsx_files.one_huge_shared_string(150 * MB)

    message, peak = peak_while_refusing(bomb)

    assert "xl/sharedStrings.xml" in message and "(at most 100 times)" in message
    assert "zip bomb" in message
    assert peak < MEMORY_BUDGET


def test_a_cell_longer_than_excel_allows_is_refused_while_streaming_naming_its_row():
    # Letters that do not compress: the ratio is innocent, only the cell's length is not.
    text = (os.urandom(3 * MB).hex()).upper()[: 5 * MB]
    rows = [xlsx_files.cell("A1", "facility"), xlsx_files.cell("A2", text)]

    message, peak = peak_while_refusing(xlsx_files.workbook(xlsx_files.sheet(rows)))

    assert message == (
        "Row 2 of the XLSX file holds a text longer than 32,767 characters "
        "(Excel's limit for a cell)."
    )
    # The 10 MB of XML for that cell was never held: it went through in 1 MB pieces.
    assert peak < 4 * MB


def test_a_zip_directory_that_understates_a_member_does_not_inflate_it():
    bomb = xlsx_files.lying_directory(real_size=100 * MB, declared_size=1000)

    message, peak = peak_while_refusing(bomb)

    assert message == "The file could not be read as an XLSX workbook."
    assert peak < 10 * MB


def test_a_long_rich_text_cell_is_refused_when_read_naming_row_and_column():
    # Two runs of 20,000 letters: each passes the streaming check, the cell does not.
    run = "<r><t>" + "B" * 20_000 + "</t></r>"
    strings = xlsx_files.shared_strings([f"<si>{run}{run}</si>".encode()])
    rows = [xlsx_files.cell("A1", "notes"), xlsx_files.cell("A2", "x") + xlsx_files.cell("B2", 0)]

    message = refusal(xlsx_files.workbook(xlsx_files.sheet(rows), strings))

    assert message == "Row 2, column 2 holds 40,000 characters; a cell may hold at most 32,767."


def test_too_many_rows_are_refused_naming_the_first_row_too_many(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_ROWS", 5)
    rows = [xlsx_files.cell(f"A{n}", f"r{n}") for n in range(1, 8)]

    message = refusal(xlsx_files.workbook(xlsx_files.sheet(rows)))

    assert message == (
        "The XLSX file has more than 5 rows (row 6): save it as CSV, or split it into smaller "
        "files."
    )


def test_a_declared_extent_past_the_limits_is_refused(monkeypatch):
    # openpyxl pads every row to the sheet's <dimension>: A1:XFD1048576 is a CPU bomb.
    monkeypatch.setattr(xlsx_guard, "MAX_COLUMNS", 3)
    sheet = xlsx_files.sheet([xlsx_files.cell("A1", "a") + xlsx_files.cell("D1", "d")])

    message = refusal(xlsx_files.workbook(sheet))

    assert message == "Row 1 of the XLSX file has more than 3 columns."


def test_too_many_shared_texts_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_SHARED_STRINGS", 10)
    strings = xlsx_files.shared_strings([b"<si><t>x</t></si>" * 11])

    message = refusal(xlsx_files.workbook(xlsx_files.sheet([xlsx_files.cell("A1", 0)]), strings))

    assert message == "The XLSX file holds more than 10 different texts."


def test_a_huge_attribute_is_refused_before_expat_holds_it():
    sheet = [b'<?xml version="1.0"?><worksheet xmlns="', xlsx_files.MAIN.encode(), b'" a="']
    sheet += [*xlsx_files.repeated(os.urandom(MB // 2).hex().encode(), 3 * MB), b'"/>']

    message = refusal(xlsx_files.workbook(sheet))

    assert (
        message == "The part xl/worksheets/sheet1.xml of the XLSX file has a tag longer than 1 MB."
    )


def test_a_dtd_is_refused():
    sheet = [b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>']

    message = refusal(xlsx_files.workbook(sheet))

    assert "declares a DTD" in message


def test_too_many_zip_members_are_refused_before_the_directory_is_read(monkeypatch):
    monkeypatch.setattr(xlsx_guard, "MAX_MEMBERS", 5)

    message = refusal(xlsx_files.normal([["a"]]))

    assert message == "The XLSX file holds 6 parts; a workbook may hold at most 5."


MEASURE = """
import os, resource, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "kehui.settings"
django.setup()
from emissions.activities.imports import reading
from tests import xlsx_files
bomb = xlsx_files.one_huge_shared_string(int(sys.argv[1]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    list(reading.read_rows("bomb.xlsx", bomb)[1])
except reading.FileUnreadable as refused:
    print(refused.message)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) * 1024)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KB on Linux")
def test_the_worker_s_peak_memory_for_a_refused_bomb_stays_within_50_mb():
    """The whole process, C libraries included: what gunicorn's worker would hold."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(150 * MB)],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    message, grown = result.stdout.strip().splitlines()

    assert "zip bomb" in message
    assert int(grown) < MEMORY_BUDGET


@pytest.mark.django_db
def test_the_import_page_refuses_the_bomb_with_the_message(client, organisation, hebei_plant):
    user = _importer()
    client.force_login(user)
    bomb = xlsx_files.one_huge_shared_string(150 * MB)
    upload = SimpleUploadedFile("bomb.xlsx", bomb, content_type="application/octet-stream")

    response = client.post(reverse("dashboard:import"), {"file": upload}, follow=True)

    assert "xl/sharedStrings.xml of the XLSX file unpacks" in response.content.decode()
    assert "the file is refused as a zip bomb" in response.content.decode()


def _importer():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bomber", password="bomber-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="activities",
            codename__in=["add_activityrecord", "view_activityrecord"],
        )
    )
    return user
