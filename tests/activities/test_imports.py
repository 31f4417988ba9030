"""Importing activity records from a file: reading, validating, committing, rolling back."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from emissions.activities import imports
from emissions.activities.imports import Problem
from emissions.activities.models import ActivityRecord, ImportBatch, ImportStatus
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
GOOD = "XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"


@pytest.fixture
def setup(organisation, hebei_plant):
    return hebei_plant


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("importer", password="importer-pass-123")


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(rows)).encode(encoding)


def check(*rows: str, **kwargs):
    return imports.check_file("records.csv", csv_bytes(*rows, **kwargs))


def only_error(*rows: str) -> Problem:
    result = check(*rows)
    assert len(result.errors) == 1, result.errors
    assert result.record_count == 0
    return result.errors[0]


def commit(user, content: bytes, name="records.csv"):
    batch = imports.start_import(user=user, file_name=name, content=content)
    return batch, imports.commit_import(batch=batch, user=user, sha=batch.sha256)


def test_a_valid_row_becomes_a_calculated_record_without_being_saved(setup):
    result = check(GOOD)
    assert result.errors == []
    assert result.row_count == 1
    assert result.record_count == 1
    (row,) = result.records_shown
    assert (row["row"], row["facility"], row["quantity"]) == (2, "XT-01", Decimal("1000"))
    assert row["co2e_kg"] == result.co2e_kg == Decimal("651.6")
    assert ActivityRecord.objects.count() == 0


def test_it_reports_an_unknown_facility_with_its_row_and_column(setup):
    problem = only_error(GOOD.replace("XT-01", "XT-99"))
    assert problem == Problem(2, "facility", "No facility has the code 'XT-99'.")


def test_it_reports_an_unknown_activity_type(setup):
    problem = only_error(GOOD.replace("grid_electricity", "moon_dust"))
    assert problem == Problem(2, "activity_type", "No activity type has the code 'moon_dust'.")


def test_it_rejects_a_unit_of_the_wrong_dimension(setup):
    problem = only_error(GOOD.replace(",kWh,", ",kg,"))
    assert problem.row == 2
    assert problem.column == "unit"
    assert problem.message.startswith("The record's unit 'kg' does not convert to the unit")


def test_it_rejects_a_negative_quantity(setup):
    problem = only_error(GOOD.replace(",1000,", ",-5,"))
    assert problem == Problem(2, "quantity", "Quantity cannot be negative.")


def test_it_rejects_a_quantity_that_is_not_a_number(setup):
    problem = only_error(GOOD.replace(",1000,", ",lots,"))
    assert problem == Problem(2, "quantity", "'lots' is not a number.")


def test_it_explains_a_decimal_comma(setup):
    problem = only_error(GOOD.replace(",1000,", ',"1234,5",'))
    assert problem == Problem(
        2,
        "quantity",
        "'1234,5' uses a decimal comma: write the decimal point as a full stop (1234.5); "
        "commas are only read as thousands separators (1,234.5).",
    )


def test_it_reads_thousands_separators(setup):
    result = check(GOOD.replace(",1000,", ',"1,234.5",'))
    assert result.records_shown[0]["quantity"] == Decimal("1234.5")


@pytest.mark.parametrize("date", ["2023-03-01", "2023/3/1", "2023年3月1日"])
def test_it_reads_the_three_date_formats(setup, date):
    result = check(GOOD.replace("2023-03-01", date))
    assert result.records_shown[0]["period_start"] == dt.date(2023, 3, 1)


def test_it_rejects_a_date_it_cannot_read(setup):
    problem = only_error(GOOD.replace("2023-03-01", "01.03.2023"))
    assert problem == Problem(
        2,
        "period_start",
        "'01.03.2023' is not a date: write it as 2024-03-01, 2024/3/1 or 2024年3月1日.",
    )


def test_it_rejects_an_impossible_date(setup):
    problem = only_error(GOOD.replace("2023-03-31", "2023-02-30"))
    assert problem.column == "period_end"


def test_it_rejects_a_period_across_years(setup):
    problem = only_error(GOOD.replace("2023-03-31", "2024-01-31"))
    assert problem == Problem(
        2,
        "period_end",
        "The period 2023-03-01 – 2024-01-31 crosses a year boundary; split it into one record "
        "per calendar year.",
    )


def test_it_rejects_an_unknown_data_quality(setup):
    problem = only_error(GOOD.replace("metered", "guessed"))
    assert problem == Problem(
        2, "data_quality", "'guessed' is not a data quality: use metered, invoice or estimated."
    )


def test_it_warns_about_a_duplicate_row_in_the_file(setup):
    result = check(GOOD, GOOD)
    assert result.errors == []
    assert result.warnings == [
        Problem(
            3,
            "",
            "Same facility, activity type, period and quantity as row 2: is it a duplicate?",
        )
    ]


def test_it_warns_about_a_duplicate_of_an_existing_record(setup, make_record):
    make_record(setup, "grid_electricity", Decimal("1000.000"), "kWh")
    result = check(GOOD)
    assert result.warnings == [
        Problem(
            2,
            "",
            "Same facility, activity type, period and quantity as a record already in the "
            "ledger: is it a duplicate?",
        )
    ]


def test_it_reports_missing_columns_for_the_whole_file(setup):
    result = check(GOOD, header="facility,activity_type\n")
    assert result.errors == [
        Problem(1, "", "Missing columns: period_start, period_end, quantity, data_quality.")
    ]


def test_it_accepts_chinese_headers_and_a_gbk_file(setup, user):
    header = "设施,活动类型,开始日期,结束日期,数量,单位,数据质量,来源,备注\n"
    row = "XT-01,grid_electricity,2023年3月1日,2023年3月31日,1000,kWh,计量,电费发票,三月\n"
    content = csv_bytes(row, header=header, encoding="gbk")
    batch, result = commit(user, content)
    assert result.errors == []
    record = ActivityRecord.objects.get()
    assert (record.notes, record.source_reference) == ("三月", "电费发票")
    assert record.import_batch == batch


def test_it_imports_a_utf8_file_with_a_bom(setup, user):
    _batch, result = commit(user, b"\xef\xbb\xbf" + csv_bytes(GOOD))
    assert result.errors == []
    assert ActivityRecord.objects.count() == 1


def test_it_imports_an_xlsx_file(setup, user):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        [
            "XT-01",
            "grid_electricity",
            dt.datetime(2023, 3, 1),
            "2023/3/31",
            1000.5,
            "kWh",
            "metered",
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    _batch, result = commit(user, out.getvalue(), name="records.xlsx")
    assert result.errors == []
    assert ActivityRecord.objects.get().quantity == Decimal("1000.5")


def test_commit_is_all_or_nothing(setup, user):
    batch, result = commit(user, csv_bytes(GOOD, GOOD.replace("XT-01", "XT-99")))
    assert [p.row for p in result.errors] == [3]
    assert ActivityRecord.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.message == "Nothing was imported: 1 problem was found when committing."


def test_commit_refuses_a_different_checksum(setup, user):
    batch = imports.start_import(user=user, file_name="a.csv", content=csv_bytes(GOOD))
    with pytest.raises(imports.ImportRefused, match="does not match its preview"):
        imports.commit_import(batch=batch, user=user, sha="0" * 64)
    assert ActivityRecord.objects.count() == 0


def test_commit_records_the_batch_and_history(setup, user):
    batch, _result = commit(user, csv_bytes(GOOD, GOOD.replace("03-31", "03-30")))
    batch.refresh_from_db()
    assert (batch.status, batch.row_count, batch.message) == (
        ImportStatus.COMMITTED,
        2,
        "2 records imported.",
    )
    assert batch.records.count() == 2
    assert ActivityRecord.history.filter(history_type="+", history_user=user).count() == 2


def test_a_batch_cannot_be_committed_twice(setup, user):
    batch, _result = commit(user, csv_bytes(GOOD))
    with pytest.raises(imports.ImportRefused, match="only a previewed import can be committed"):
        imports.commit_import(batch=batch, user=user, sha=batch.sha256)
    assert ActivityRecord.objects.count() == 1


def test_rollback_removes_the_records_and_history_keeps_them(setup, user):
    batch, _result = commit(user, csv_bytes(GOOD, GOOD.replace("03-31", "03-30")))
    assert imports.rollback_import(batch=batch, user=user) == 2
    assert ActivityRecord.objects.count() == 0
    assert ActivityRecord.history.filter(history_type="-").count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    with pytest.raises(imports.ImportRefused, match="already been rolled back"):
        imports.rollback_import(batch=batch, user=user)


def test_ten_thousand_rows_import_with_the_right_total(setup, user):
    rows, total_kwh = [], Decimal(0)
    for i in range(10_000):
        month = i % 12 + 1
        quantity = Decimal(1000 + i) + Decimal("0.25")
        total_kwh += quantity
        rows.append(
            f'XT-01,grid_electricity,2023-{month:02d}-01,2023-{month:02d}-28,"{quantity:,}",'
            "kWh,metered\n"
        )
    _batch, result = commit(user, csv_bytes(*rows))
    assert result.errors == []
    assert ActivityRecord.objects.count() == 10_000
    stored = ActivityRecord.objects.aggregate(total=Sum("co2e_kg"))["total"]
    # Independently: every row is Hebei grid electricity in 2023, 0.6516 kg CO2 per kWh.
    assert stored == pytest.approx(total_kwh * Decimal("0.6516"), abs=Decimal("0.01"))


def test_the_template_lists_this_installations_codes(setup):
    from emissions.dashboard.spreadsheet import Table, csv_response

    sheet = imports.ImportTemplate.load().csv_sheet()
    text = csv_response(Table(*sheet), filename_stem="template").content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(imports.COLUMNS)
    assert lines[1].startswith("XT-01,grid_electricity,2024-01-01,2024/1/31,120000,kWh,")
    assert "#   XT-01" in text
    assert "#   natural_gas_stationary" in text
    result = imports.check_file("template.csv", text.encode())
    assert result.errors == []
    assert result.record_count == 2


def test_batches_keep_their_file(setup, user):
    batch = imports.start_import(user=user, file_name="a.csv", content=csv_bytes(GOOD))
    assert bytes(ImportBatch.objects.get(pk=batch.pk).content) == csv_bytes(GOOD)


def test_a_ledger_export_imports_back_into_an_empty_database_with_the_same_totals(
    setup, user, django_user_model, client
):
    from django.contrib.auth.models import Permission
    from django.urls import reverse

    for month, quantity in [(1, "12000"), (2, "11000.5"), (3, "9800.25")]:
        factories.make_record(
            setup,
            "grid_electricity",
            Decimal(quantity),
            "kWh",
            start=dt.date(2023, month, 1),
            end=dt.date(2023, month, 28),
            data_quality="metered",
            source_reference=f"Bill 2023-{month:02d}",
        )
    before = ActivityRecord.objects.aggregate(total=Sum("co2e_kg"))["total"]
    reader = django_user_model.objects.create_user("reader", password="reader-pass-123")
    reader.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(reader)
    response = client.get(reverse("dashboard:ledger_export", args=["csv"]))
    exported = b"".join(response.streaming_content)

    ActivityRecord.history.all().delete()
    ActivityRecord.objects.all().delete()
    _batch, result = commit(user, exported, name="kehui-ledger.csv")

    assert result.errors == []
    assert ActivityRecord.objects.count() == 3
    assert ActivityRecord.objects.aggregate(total=Sum("co2e_kg"))["total"] == before
    assert set(ActivityRecord.objects.values_list("source_reference", flat=True)) == {
        "Bill 2023-01", "Bill 2023-02", "Bill 2023-03",
    }  # fmt: skip


def test_a_csv_syntax_error_is_named_not_raised(setup):
    huge = "x" * 200_000
    result = check(GOOD, GOOD.replace("metered", f'metered,"{huge}"'))
    assert result.record_count == 0
    (problem,) = result.errors
    assert problem.message.startswith("Row 3 cannot be read as CSV (field larger than field limit")


def test_a_quantity_whose_emissions_cannot_be_stored_is_refused(setup):
    problem = only_error(GOOD.replace(",1000,kWh,", ",90000000000000,TWh,"))
    assert problem == Problem(
        2, "quantity", "The quantity is too large: its emissions cannot be stored."
    )


def test_cells_our_exports_escaped_read_back_as_typed(setup, user):
    row = GOOD.strip() + ",'=HYPERLINK(1),'+note\n"
    _batch, result = commit(
        user, csv_bytes(row, header=HEADER.strip() + ",source_reference,notes\n")
    )
    assert result.errors == []
    record = ActivityRecord.objects.get()
    assert (record.source_reference, record.notes) == ("=HYPERLINK(1)", "+note")


def test_a_row_failing_after_full_chunks_were_written_leaves_nothing(setup, user, monkeypatch):
    from emissions.activities.imports import validation

    monkeypatch.setattr(validation, "CHUNK_SIZE", 2)
    good = [GOOD.replace("03-31", f"03-{day}") for day in range(20, 25)]
    batch, result = commit(user, csv_bytes(*good, GOOD.replace("XT-01", "XT-99")))
    assert (result.record_count, result.error_count) == (5, 1)
    assert ActivityRecord.objects.count() == 0
    assert ActivityRecord.history.count() == 0
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    # The failed commit's problems replace the preview, for the page to show.
    assert batch.preview["errors"] == [
        {"row": 7, "column": "facility", "message": "No facility has the code 'XT-99'."}
    ]


def test_a_file_in_chunks_imports_every_row_with_its_history(setup, user, monkeypatch):
    from emissions.activities.imports import validation

    monkeypatch.setattr(validation, "CHUNK_SIZE", 2)
    good = [GOOD.replace("03-31", f"03-{day}") for day in range(20, 25)]
    batch, result = commit(user, csv_bytes(*good))
    assert result.ok and result.record_count == 5
    assert batch.records.count() == 5
    assert ActivityRecord.history.filter(history_type="+", history_user=user).count() == 5
    assert result.co2e_kg == Decimal("3258.0")  # 5 × 1,000 kWh × 0.6516 kg/kWh


def test_every_problem_is_counted_and_the_first_ones_kept(setup):
    rows = [GOOD.replace("XT-01", f"XX-{n}") for n in range(imports.PROBLEMS_SHOWN + 50)]
    result = check(*rows)
    assert result.error_count == imports.PROBLEMS_SHOWN + 50
    assert len(result.errors) == imports.PROBLEMS_SHOWN
    assert result.errors[0].row == 2


def test_the_upload_keeps_its_preview_with_the_batch(setup, user):
    batch = imports.start_import(user=user, file_name="a.csv", content=csv_bytes(GOOD, GOOD))
    batch.refresh_from_db()
    stored = imports.ImportCheck.from_json(batch.preview)
    assert (stored.row_count, stored.record_count, stored.warning_count) == (2, 2, 1)
    assert stored.co2e_kg == Decimal("1303.2")
    assert stored.records_shown[1]["quantity"] == Decimal("1000")
    assert stored == imports.check_file("a.csv", csv_bytes(GOOD, GOOD))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_commits_take_turns_so_two_imports_cannot_deadlock_on_the_rollups(setup, user):
    batch = imports.start_import(user=user, file_name="r.csv", content=csv_bytes(GOOD))
    with CaptureQueriesContext(connection) as queries:
        imports.commit_import(batch=batch, user=user, sha=batch.sha256)
    statements = [q["sql"] for q in queries.captured_queries]
    locks = [i for i, sql in enumerate(statements) if "pg_advisory_xact_lock" in sql]
    # Before the batch is even read (and so before any row is written).
    batch_read = next(i for i, sql in enumerate(statements) if "FOR UPDATE" in sql)
    assert len(locks) == 1 and locks[0] < batch_read
