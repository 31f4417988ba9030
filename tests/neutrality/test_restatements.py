"""Restatements: a new factor dataset previewed (worked example, docs/methodology.md), applied,
discarded; loaded from a file all or nothing; locked years left as they are."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from emissions.activities.models import ActivityRecord
from emissions.activities.rollups import mismatches
from emissions.facilities import periods
from emissions.factors.dataset_file import DatasetFileError, load_dataset_file
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.jobs.models import Job, JobKind, JobStatus
from emissions.neutrality import restatements
from emissions.neutrality.models import Restatement, RestatementStatus
from tests.factories import make_record, metered

pytestmark = pytest.mark.django_db

HEADER = (
    "key,name,scope,category,activity_unit,region,year,co2_kg,ch4_kg,n2o_kg,co2e_kg,gwp_basis,"
    "dataset,source_reference,notes\n"
)
DATASET = "MEE-NBS Electricity CO2 Emission Factors 2024 (worked example)"
HEBEI_2024 = (
    f"grid_electricity_cn_he_2024,Hebei electricity CO2 factor 2024,2,Purchased electricity,"
    f"kWh,CN-HE,2024,0.6200,,,,,{DATASET},Illustrative value for the worked example,\n"
)


def csv_file(*rows: str) -> bytes:
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def example(organisation, hebei_plant):
    """The worked example of docs/methodology.md ("Restatements")."""
    organisation.base_year = 2024
    organisation.save()
    def electricity(kwh, year):
        return make_record(hebei_plant, "grid_electricity", Decimal(kwh), "kWh", **metered(year))

    return {
        2023: electricity("100000", 2023),
        2024: electricity("200000", 2024),
        2025: electricity("50000", 2025),
        "gas": make_record(
            hebei_plant, "natural_gas_stationary", Decimal("1000"), "Nm3", **metered(2024)
        ),
    }


def load(content: bytes = None, user=None) -> Restatement:
    loaded = load_dataset_file("mee-nbs-2024.csv", content or csv_file(HEBEI_2024))
    return restatements.start_preview(loaded.datasets[0], loaded.factor_ids, user=user)


def test_the_example_as_recorded_before_any_restatement(example):
    assert example[2023].co2e_kg == Decimal("65160.000000")  # 100,000 kWh × 0.6516 (2023)
    assert example[2024].co2e_kg == Decimal("130320.000000")  # lagged: the 2023 factor
    assert example[2025].co2e_kg == Decimal("32580.000000")
    assert example["gas"].co2e_kg == Decimal("2162.200000")


def test_loading_a_dataset_changes_no_record_and_previews_the_change(example):
    restatement = load()
    for record in example.values():
        stored = ActivityRecord.objects.get(pk=record.pk)
        assert (stored.factor_id, stored.co2e_kg) == (record.factor_id, record.co2e_kg)
    assert restatement.status == RestatementStatus.PREVIEW
    assert restatement.preview_job.kind == JobKind.PREVIEW
    assert restatement.preview_job.status == JobStatus.SUCCEEDED
    preview = restatement.preview
    assert preview["records"] == 2
    # 2023 keeps its own year's factor; 2024 and the lagged 2025 take the new 2024 factor.
    assert preview["years"] == [
        {
            "year": 2024, "records": 1,
            "before_kg": "132482.200000", "change_kg": "-6320.000000",
            "after_kg": "126162.200000", "change_pct": "-4.77",
        },
        {
            "year": 2025, "records": 1,
            "before_kg": "32580.000000", "change_kg": "-1580.000000",
            "after_kg": "31000.000000", "change_pct": "-4.85",
        },
    ]  # fmt: skip
    assert preview["scopes"] == [
        {"year": 2024, "scope": 2, "records": 1, "change_kg": "-6320.000000"},
        {"year": 2025, "scope": 2, "records": 1, "change_kg": "-1580.000000"},
    ]
    assert [(row["year"], row["facility"]) for row in preview["facilities"]] == [
        (2024, "XT-01"),
        (2025, "XT-01"),
    ]
    assert preview["factors"] == [
        {"from": "grid_electricity_cn_he_2023", "to": "grid_electricity_cn_he_2024", "records": 2}
    ]
    assert preview["base_year"] == {
        "year": 2024,
        "before_kg": "132482.200000",
        "change_kg": "-6320.000000",
        "after_kg": "126162.200000",
        "change_pct": "-4.77",
        "threshold_pct": "5.00",
        "significant": False,
    }
    assert preview["locked"] == []


def test_the_base_year_change_is_significant_at_or_above_the_threshold(example, organisation):
    organisation.restatement_threshold_pct = Decimal("4.5")
    organisation.save()
    assert load().preview["base_year"]["significant"] is True


def test_applying_moves_the_records_and_keeps_each_years_figures(example, django_user_model):
    approver = django_user_model.objects.create_user("approver")
    restatement = restatements.start_apply(load(), user=approver)
    assert restatement.status == RestatementStatus.APPLIED
    assert restatement.apply_job.kind == JobKind.RESTATEMENT
    assert restatement.apply_job.years == [2024, 2025]
    assert restatement.apply_job.records == 2
    assert restatement.decided_by == approver
    assert restatement.applied == {
        "2024": ["132482.200000", "126162.200000", 1],
        "2025": ["32580.000000", "31000.000000", 1],
    }
    new = EmissionFactor.objects.get(key="grid_electricity_cn_he_2024")
    stored = {year: ActivityRecord.objects.get(pk=record.pk) for year, record in example.items()}
    assert (stored[2024].factor, stored[2024].co2e_kg) == (new, Decimal("124000.000000"))
    assert (stored[2025].factor, stored[2025].co2e_kg) == (new, Decimal("31000.000000"))
    assert stored[2025].factor_year_match == "lagged"
    assert stored[2023].co2e_kg == Decimal("65160.000000")
    # Each moved record's history names the restatement; the rollups followed.
    reason = f"Restatement #{restatement.pk}: {DATASET}"
    assert stored[2024].history.first().history_change_reason == reason
    assert stored[2023].history.first().history_change_reason != reason
    assert mismatches() == []
    assert restatements.restated_years()[2024][0]["before_kg"] == Decimal("132482.200000")


def test_a_locked_year_is_listed_as_unchanged_and_stays_so(example, django_user_model):
    approver = django_user_model.objects.create_user("approver")
    periods.lock_year(year=2025, user=approver, note="Verified")
    restatement = load()
    assert [row["year"] for row in restatement.preview["years"]] == [2024]
    assert restatement.preview["locked"] == [
        {"year": 2025, "records": 1, "change_kg": "-1580.000000"}
    ]
    restatement = restatements.start_apply(restatement, user=approver)
    assert set(restatement.applied) == {"2024"}
    assert ActivityRecord.objects.get(pk=example[2025].pk).co2e_kg == Decimal("32580.000000")


def test_discarding_changes_no_record_and_removes_the_unused_new_factors(
    example, django_user_model
):
    approver = django_user_model.objects.create_user("approver")
    restatement = load()
    assert restatements.discard(restatement, user=approver) == 1
    restatement.refresh_from_db()
    assert restatement.status == RestatementStatus.DISCARDED
    assert not EmissionFactor.objects.filter(key="grid_electricity_cn_he_2024").exists()
    assert ActivityRecord.objects.get(pk=example[2024].pk).co2e_kg == Decimal("130320.000000")
    # Decided once: neither applied nor discarded again.
    with pytest.raises(restatements.RestatementRefused, match="discarded"):
        restatements.start_apply(restatement, user=approver)
    with pytest.raises(restatements.RestatementRefused, match="discarded"):
        restatements.discard(restatement, user=approver)


def test_an_applied_restatement_is_not_applied_twice(example, django_user_model):
    approver = django_user_model.objects.create_user("approver")
    restatement = restatements.start_apply(load(), user=approver)
    with pytest.raises(restatements.RestatementRefused, match="applied"):
        restatements.start_apply(restatement, user=approver)
    assert Job.objects.filter(kind=JobKind.RESTATEMENT).count() == 1


def test_a_failed_apply_changes_nothing_and_can_be_applied_again(
    example, django_user_model, monkeypatch
):
    approver = django_user_model.objects.create_user("approver")
    restatement = load()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("emissions.neutrality.restatements.recorded_kg_by_year", broken)
    restatement = restatements.start_apply(restatement, user=approver)
    assert restatement.apply_job.status == JobStatus.FAILED
    restatement = restatements.settle_failed(restatement)
    assert restatement.status == RestatementStatus.FAILED
    assert "disk full" in restatement.message
    assert ActivityRecord.objects.get(pk=example[2024].pk).co2e_kg == Decimal("130320.000000")
    monkeypatch.undo()
    assert restatements.start_apply(restatement, user=approver).status == RestatementStatus.APPLIED


# --- The file ------------------------------------------------------------------------------------


def test_a_key_that_continues_a_library_factor_takes_its_group_and_series(organisation):
    loaded = load_dataset_file("f.csv", csv_file(HEBEI_2024), publisher="MEE and NBS")
    factor = loaded.created[0]
    assert (factor.group, factor.series, factor.year, factor.co2_kg) == (
        "grid_electricity", "mee_nbs", 2024, Decimal("0.6200")
    )  # fmt: skip
    dataset = FactorDataset.objects.get(name=DATASET)
    assert (dataset.publisher, dataset.version, dataset.is_shipped) == (
        "MEE and NBS",
        "2024",
        False,
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (HEBEI_2024.replace("0.6200", "0.6x"), "Row 3, column co2_kg: “0.6x” is not a number."),
        (HEBEI_2024.replace(",2024,", ",20x4,"), "Row 3, column year: “20x4” is not a year."),
        (
            HEBEI_2024.replace("Purchased electricity", "Electricity"),
            "Row 3, column category: “Electricity” is not a category of the shipped format.",
        ),
        (
            HEBEI_2024.replace("grid_electricity_cn_he_2024", "my_new_factor"),
            "Row 3: no factor group for my_new_factor.",
        ),
        (
            HEBEI_2024.replace(",kWh,", ",zzz,"),
            "Row 3, column unit:",
        ),
        (
            HEBEI_2024.replace("_he_2024", "_he_2023"),
            "Row 3: the factor grid_electricity_cn_he_2023 is already in the library with other "
            "values.",
        ),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_loaded(organisation, row, message):
    good = HEBEI_2024.replace("_he_2024", "_bj_2024").replace("CN-HE", "CN-BJ")
    with pytest.raises(DatasetFileError) as refused:
        load_dataset_file("f.csv", csv_file(good, row))
    assert any(problem.startswith(message) for problem in refused.value.problems), refused.value
    assert not EmissionFactor.objects.filter(key="grid_electricity_cn_bj_2024").exists()
    assert not FactorDataset.objects.filter(name=DATASET).exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"key,name\nx,y\n", "The file lacks the columns: category, activity_unit"),
        (HEADER.encode(), "The file has no factor rows."),
        ("ключ".encode("cp1251"), "The file is not UTF-8 text"),
        (
            csv_file(HEBEI_2024, HEBEI_2024.replace(DATASET, "Another")),
            "A file holds one dataset",
        ),
        (csv_file(HEBEI_2024, HEBEI_2024), "Row 3: the key grid_electricity_cn_he_2024 appears"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason(organisation, content, message):
    with pytest.raises(DatasetFileError) as refused:
        load_dataset_file("f.csv", content)
    assert message in str(refused.value)


def test_a_file_of_factors_already_in_the_library_loads_nothing(organisation):
    load_dataset_file("f.csv", csv_file(HEBEI_2024))
    with pytest.raises(DatasetFileError, match="already in the library: nothing to load"):
        load_dataset_file("f.csv", csv_file(HEBEI_2024))


def test_load_factors_file_makes_a_preview(example, tmp_path, capsys):
    path = tmp_path / "mee-nbs-2024.csv"
    path.write_bytes(csv_file(HEBEI_2024))
    call_command("load_factors", "--file", str(path))
    out = capsys.readouterr().out
    restatement = Restatement.objects.get()
    assert f"Restatement #{restatement.pk}: preview preview ready" in out
    assert f"/restatements/{restatement.pk}/" in out
    assert "No record has changed." in out
    assert restatement.preview["records"] == 2


def test_load_factors_file_names_the_problem(organisation, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_factors", "--file", str(tmp_path / "missing.csv"))
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file(HEBEI_2024.replace("0.6200", "abc")))
    with pytest.raises(CommandError, match="Row 2, column co2_kg"):
        call_command("load_factors", "--file", str(path))
    assert not Restatement.objects.exists()


def test_records_saved_after_loading_use_the_new_factor_already(example, hebei_plant):
    load()
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "kWh", **metered(2025))
    assert record.factor.key == "grid_electricity_cn_he_2024"
    assert dt.date(2025, 3, 1) == record.period_start
