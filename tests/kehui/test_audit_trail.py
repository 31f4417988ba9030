"""The audit trail is complete: every domain row keeps its history and cannot vanish from under
the rows that cite it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import PROTECT, ProtectedError
from django.urls import reverse
from simple_history.exceptions import NotHistoricalModelError
from simple_history.models import HistoricalChanges
from simple_history.utils import get_history_manager_for_model

from emissions.activities.models import ActivityRecord, ActivityType
from emissions.factors.models import EmissionFactor, FactorDataset
from emissions.history_admin import HistoryAdmin
from emissions.offsets import services
from emissions.offsets.models import (
    CreditBatch,
    CreditKind,
    CreditProject,
    CreditStandard,
    ProjectType,
    Retirement,
)
from tests import factories

# Models without a history of their own, and why. (The historical models themselves are
# recognised by their base class and never need one.)
WITHOUT_HISTORY = {
    "activities.ImportBatch": "it is itself the import log: file, user, times, outcome",
    "activities.RecalculationRun": "it is itself a log of set-based recalculations",
    "activities.IntervalUpload": (
        "it is itself the interval upload log: file, user, time, counts; the meter-days it "
        "wrote or replaced keep their own history"
    ),
    "activities.RecordRollup": "sums of records kept by triggers; the records keep history",
    "activities.MonthRollup": "sums of records kept by triggers; the records keep history",
    "jobs.Job": "it is itself a log of background jobs: who, what, when, how it ended",
    "offsets.ClaimedGecCode": (
        "one row per code of its certificate's range, written with it and never changed; the "
        "certificate's history keeps the range"
    ),
    "jobs.ExportFile": "a download kept for hours, then purged; its job logs who asked for what",
    "suppliers.SubmissionLine": (
        "what a supplier answered for one product, written once with its submission and never "
        "edited (the admin shows it read-only); the submission's history keeps the review, and "
        "the factor made from it keeps its own"
    ),
    "suppliers.SubmissionFile": (
        "a file a supplier attached, written once with its submission and never changed (the "
        "admin shows it read-only); its SHA-256 is kept with it"
    ),
    "neutrality.Restatement": (
        "it is itself the record of a decision: who loaded, who decided, when, figures before "
        "and after; the records it changed keep their own history naming it"
    ),
}

# Foreign keys between domain rows that are not PROTECT, and why.
NOT_PROTECTED = {
    "evidence.EvidenceFile.record": (
        "CASCADE: a file means nothing without its record; both histories keep what was lost"
    ),
    **dict.fromkeys(
        [
            "activities.RecordRollup.facility",
            "activities.RecordRollup.activity_type",
            "activities.RecordRollup.factor",
            "activities.RecordRollup.other_gas",
            "activities.MonthRollup.facility",
        ],
        "DO_NOTHING: rollup rows exist only while records of their key do, and the records "
        "protect what they point to",
    ),
    "activities.RecalculationRun.factor": (
        "SET_NULL: a log line may outlive the factor; the records' history keeps which was used"
    ),
    "offsets.ClaimedGecCode.certificate": (
        "CASCADE: a claimed code is part of its certificate entry; deleting the entry (itself "
        "guarded) frees its codes, and the entry's history keeps the range"
    ),
    "planning.ScenarioMeasure.scenario": (
        "CASCADE: a measure is part of its scenario; deleting the scenario deletes its measures, "
        "and both histories keep them"
    ),
    "jobs.Job.requested_by": "SET_NULL: a job's log line may outlive the user who started it",
    "jobs.Job.retry_of": "SET_NULL: a retry's log line may outlive the job it ran again",
    **dict.fromkeys(
        ["neutrality.Restatement.created_by", "neutrality.Restatement.decided_by"],
        "SET_NULL: the record of a restatement outlives the users who loaded or decided it",
    ),
    **dict.fromkeys(
        ["neutrality.Restatement.preview_job", "neutrality.Restatement.apply_job"],
        "SET_NULL: the restatement keeps its figures when old job log lines are cleared",
    ),
    "jobs.ExportFile.requested_by": (
        "SET_NULL: a leaver's export stays until it expires, for administrators only"
    ),
}

PROTECTED_RELATED = "would require deleting the following protected related objects"
NO_PERMISSION = "doesn't have permission to delete the following types of objects"


def domain_models():
    """The emissions apps' own models, without the historical ones."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_config.name.startswith("emissions.")
        and not issubclass(model, HistoricalChanges)
    ]


def has_history(model) -> bool:
    try:
        get_history_manager_for_model(model)
    except NotHistoricalModelError:
        return False
    return True


def test_every_domain_model_keeps_its_history_unless_it_is_itself_a_log():
    models = {model._meta.label: model for model in domain_models()}

    without = {label for label, model in models.items() if not has_history(model)}

    assert without == set(WITHOUT_HISTORY), (
        "Give these models `history = HistoricalRecords()` (or add them to WITHOUT_HISTORY with "
        f"the reason): {sorted(without - set(WITHOUT_HISTORY))}; listed but gone or tracked "
        f"now: {sorted(set(WITHOUT_HISTORY) - without)}"
    )


def test_every_foreign_key_between_domain_rows_protects_the_row_it_points_to():
    not_protected = {
        f"{model._meta.label}.{field.name}": field.remote_field.on_delete.__name__
        for model in domain_models()
        for field in model._meta.concrete_fields
        if field.many_to_one and field.remote_field.on_delete is not PROTECT
    }

    assert set(not_protected) == set(NOT_PROTECTED), not_protected


def test_every_admin_of_a_model_with_history_shows_and_guards_that_history():
    plain = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if has_history(model) and not isinstance(model_admin, HistoryAdmin)
    ]

    assert plain == []


@pytest.fixture
def own_dataset(db):
    return FactorDataset.objects.create(
        name="Kehui measured factors", publisher="Xingtai Kehui", version="2024"
    )


@pytest.mark.django_db
def test_a_factor_dataset_changed_in_the_admin_keeps_who_changed_what(admin_client, own_dataset):
    url = reverse("admin:factors_factordataset_change", args=[own_dataset.pk])
    response = admin_client.post(
        url,
        {
            "name": "Kehui measured factors",
            "publisher": "Xingtai Kehui",
            "version": "2025",
            "licence": "",
            "source_reference": "Lab report 2025-03",
        },
    )
    assert response.status_code == 302

    changed, created = own_dataset.history.all()
    assert (created.history_type, created.version) == ("+", "2024")
    assert (changed.history_type, changed.version) == ("~", "2025")
    assert changed.history_user.username == "admin"
    history = admin_client.get(
        reverse("admin:factors_factordataset_history", args=[own_dataset.pk])
    )
    assert history.status_code == 200
    assert "Changed" in history.text


# Deleting what history depends on: refused in the ORM and in the admin.


@pytest.fixture
def record(make_record, hebei_plant):
    return make_record(
        hebei_plant, "grid_electricity", Decimal("12400"), "kWh",
        start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31),
    )  # fmt: skip


@pytest.fixture
def batch_with_a_retirement(db):
    project = CreditProject.objects.create(
        name="Taihang afforestation",
        standard=CreditStandard.CCER,
        registry_project_id="CCER-14-001",
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
    )
    batch = services.add_credit_batch(
        project=project,
        vintage_year=2023,
        quantity_t=Decimal(100),
        serial_first=1,
        serial_last=100,
        purchased_on=dt.date(2024, 1, 15),
    )
    services.retire_credits(
        batch=batch,
        quantity_t=Decimal(40),
        retired_on=dt.date(2024, 12, 1),
        claimed_year=2024,
        registry_reference="CCER-RET-0001",
    )
    return batch


@pytest.fixture
def own_factor_in_use(organisation, hebei_plant, own_dataset):
    """The organisation's own factor (shipped ones may not be deleted at all) behind a record."""
    factor = EmissionFactor.objects.create(
        key="kehui-quench-oil-2024",
        name="Quench oil burn-off (measured)",
        dataset=own_dataset,
        group="kehui_quench_oil",
        category="s1_process",
        unit="kg",
        region="GLOBAL",
        year=2024,
        co2_kg=Decimal("2.9"),
        source_reference="Kehui lab report 2024-07",
    )
    quench_oil = ActivityType.objects.create(
        code="kehui_quench_oil",
        name="Quench oil burn-off",
        category="s1_process",
        method="factor",
        factor_group="kehui_quench_oil",
        default_unit="kg",
    )
    record = factories.make_record(
        hebei_plant,
        quench_oil.code,
        Decimal("120"),
        "kg",
        start=dt.date(2024, 7, 1),
        end=dt.date(2024, 7, 31),
        data_quality="metered",
    )
    assert record.factor == factor
    return factor


def test_a_facility_with_records_cannot_be_deleted(record):
    with pytest.raises(ProtectedError):
        record.facility.delete()


def test_a_credit_batch_with_retirements_cannot_be_deleted(batch_with_a_retirement):
    with pytest.raises(ProtectedError):
        batch_with_a_retirement.delete()


def test_an_emission_factor_used_by_records_cannot_be_deleted(own_factor_in_use):
    with pytest.raises(ProtectedError):
        own_factor_in_use.delete()


@pytest.mark.parametrize(
    ("protected", "model", "label", "explanation", "dependant"),
    [
        ("record", "facilities_facility", "facility", PROTECTED_RELATED, "Activity record: "),
        (
            "own_factor_in_use",
            "factors_emissionfactor",
            "emission factor",
            PROTECTED_RELATED,
            "Activity record: ",
        ),
        # Retirements may be deleted by nobody at all, and Django names that reason first.
        (
            "batch_with_a_retirement",
            "offsets_creditbatch",
            "credit batch",
            NO_PERMISSION,
            "retirement",
        ),
    ],
)
def test_the_admin_refuses_to_delete_what_records_depend_on(
    request, admin_client, protected, model, label, explanation, dependant
):
    obj = request.getfixturevalue(protected)
    obj = obj.facility if isinstance(obj, ActivityRecord) else obj
    url = reverse(f"admin:{model}_delete", args=[obj.pk])
    counts = {m: m.objects.count() for m in (ActivityRecord, Retirement, CreditBatch, type(obj))}

    page = admin_client.get(url)
    confirmed = admin_client.post(url, {"post": "yes"})

    for response in (page, confirmed):
        assert response.status_code == 200
        assert f"<h1>Cannot delete {label}</h1>" in response.text
        assert explanation in response.text
        assert re.search(rf'<ul id="deleted-objects">\s*<li>{dependant}', response.text)
        assert "Yes, I’m sure" not in response.text
    assert {m: m.objects.count() for m in counts} == counts
    assert type(obj).objects.filter(pk=obj.pk).exists()
