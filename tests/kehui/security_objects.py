"""One object of every kind the URLs and the admin need, named with a given text.

The security walk fills every URL parameter from these objects; the XSS tests name them with
script payloads and read every page back.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emissions.activities import imports
from emissions.activities.models import HOURS, ActivityRecord, ActivityType
from emissions.evidence import services as evidence_services
from emissions.facilities.models import Facility, FacilityOutput
from emissions.factors.models import EmissionFactor, FactorDataset, Gas
from emissions.neutrality.models import ReductionInitiative, Target
from emissions.offsets import services as offset_services
from emissions.offsets.models import (
    AllowanceTransactionKind,
    CertificateScheme,
    ContractGenerationDay,
    CreditKind,
    CreditProject,
    CreditStandard,
    ProjectType,
    Technology,
    TreePlanting,
)
from tests import factories

YEAR = 2024
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IMPORT_HEADER = ["facility", "activity_type", "period_start", "period_end", "quantity", "unit"]


def import_csv(text: str) -> bytes:
    """A file to import: one good row, and one naming a facility `text` (a problem to show)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*IMPORT_HEADER, "data_quality"])
    writer.writerow(
        ["SEC-01", "grid_electricity", "2024-05-01", "2024-05-31", "1000", "kWh", "metered"]
    )
    writer.writerow(
        [text, "grid_electricity", "2024-06-01", "2024-06-30", "1000", "kWh", "metered"]
    )
    return out.getvalue().encode()


def _optional_objects(user, text: str) -> list:
    """Objects of models that are newer than these tests (each only when its model exists)."""
    made = []
    try:
        lock_model = apps.get_model("facilities", "ReportingYearLock")
    except LookupError:
        pass
    else:
        # An old, unlocked year: it must not stop the walk from writing to YEAR.
        made.append(
            lock_model.objects.create(
                year=2001,
                locked_at=timezone.now(),
                locked_by=user,
                note=text,
                unlocked_at=timezone.now(),
                unlocked_by=user,
                unlock_reason=text,
            )
        )
    # A failed job (restartable from the Jobs page) and its run in the task queue.
    from django_tasks_db.backend import DatabaseBackend

    from emissions.jobs.models import Job, JobStatus
    from emissions.jobs.tasks import run_job

    made.append(
        Job.objects.create(
            function="emissions.activities.jobs.recalculate_all_co2e",
            description=text[:300],
            status=JobStatus.FAILED,
            requested_by=user,
            message=text,
        )
    )
    result = DatabaseBackend("default", {}).enqueue(run_job, (made[-1].pk,), {})
    made.append(apps.get_model("django_tasks_database", "DBTaskResult").objects.get(id=result.id))
    made += _export_file(user, text)
    made += _restatement(user, text)
    made += _supplier_data(user, text)
    made += _products(text)
    made += _expected_streams(user, text)
    made += _scenarios(text)
    return made


def _scenarios(text: str) -> list:
    """A forecast scenario named `text`, with a measure at the security facility."""
    from emissions.planning.models import Scenario, ScenarioMeasure

    scenario = Scenario.objects.create(name=text[:200], name_zh=f"{text} 情景"[:200], note=text)
    measure = ScenarioMeasure.objects.create(
        scenario=scenario,
        title=text[:200],
        kind="abatement",
        facility=Facility.objects.get(code="SEC-01"),
        start_year=YEAR + 1,
        amount=Decimal(10),
    )
    return [scenario, measure]


def _expected_streams(user, text: str) -> list:
    """The security facility expected to report grid electricity monthly, owed by `user`."""
    from emissions.planning.models import ExpectedStream

    stream = ExpectedStream.objects.create(
        facility=Facility.objects.get(code="SEC-01"),
        activity_type=ActivityType.objects.get(code="grid_electricity"),
        owner=user,
        starts_on=dt.date(YEAR, 1, 1),
        note=text,
    )
    return [stream]


def _products(text: str) -> list:
    """A product made at the security facility, its process, a month of production and a
    precursor at a default value whose source is `text`."""
    from emissions.products.models import Precursor, Process, Product, Production

    product = Product.objects.create(
        code="sec-product",
        name_en=text[:200],
        name_zh=f"{text} 产品"[:200],
        cn_code="72083900",
        cpc_code="41231",
    )
    process = Process.objects.create(
        facility=Facility.objects.get(code="SEC-01"), name=text[:200], allocation_basis="mass",
        justification=text,
    )  # fmt: skip
    production = Production.objects.create(
        process=process, product=product, year=YEAR, month=5, quantity=Decimal(10)
    )
    precursor = Precursor.objects.create(
        facility=process.facility, product=product, year=YEAR, name=text[:200],
        quantity_t=Decimal(2), default_kg_per_t=Decimal(1900), default_source=text[:300],
    )  # fmt: skip
    return [product, process, production, precursor]


def _supplier_data(user, text: str) -> list:
    """A supplier, its product, a request by link, a submission to review with a file, and an
    exchange rate of the organisation's own."""
    from django.core.files.base import ContentFile

    from emissions.factors.models import ExchangeRate
    from emissions.suppliers.models import (
        DataRequest,
        Submission,
        SubmissionFile,
        SubmissionLine,
        Supplier,
        SupplierProduct,
    )  # fmt: skip

    supplier = Supplier.objects.create(
        name=f"{text} supplier", name_zh=f"{text} 供应商", category="services",
        email="supplier@example.test", contact_name=text[:100], notes=text,
    )  # fmt: skip
    product = SupplierProduct.objects.create(
        supplier=supplier, code="sec-product", name=text[:200], declared_unit="t"
    )
    request = DataRequest.objects.create(
        supplier=supplier, year=YEAR, message=text, nonce="0" * 32, created_by=user
    )
    request.products.set([product])
    submission = Submission.objects.create(
        request=request, language="en", contact_name=text[:100], notes=text
    )
    line = SubmissionLine.objects.create(
        submission=submission, product=product, kind="footprint", kg_co2e_per_unit=1,
        boundary="cradle_to_gate", method="iso_14067", verification="none",
    )  # fmt: skip
    evidence = SubmissionFile(
        submission=submission, original_name=f"{text}.pdf", content_type="application/pdf",
        size=12, sha256="0" * 64,
    )  # fmt: skip
    evidence.file.save("sec.pdf", ContentFile(b"%PDF-1.4 sec"), save=True)
    rate = ExchangeRate.objects.create(year=1999, cny_per_usd=Decimal("8.27"), source=text)
    return [supplier, product, request, submission, line, evidence, rate]


def _restatement(user, text: str) -> list:
    """A restatement preview, ready to be applied or discarded (by an approver only)."""
    from emissions.factors.models import FactorDataset
    from emissions.neutrality.models import Restatement, RestatementStatus

    dataset = FactorDataset.objects.create(name=f"{text} dataset"[:200], publisher=text[:200])
    return [
        Restatement.objects.create(
            dataset=dataset,
            status=RestatementStatus.PREVIEW,
            created_by=user,
            preview={"years": [], "records": 0, "locked": [], "base_year": None},
            message=text,
        )
    ]


def _export_file(user, text: str) -> list:
    """A ledger export a job wrote for `user`, downloadable for another hour."""
    try:
        export_model = apps.get_model("jobs", "ExportFile")
    except LookupError:
        return []
    from django.core.files.base import ContentFile

    from emissions.jobs.models import Job, JobKind, JobStatus

    job = Job.objects.create(
        function="emissions.dashboard.export_jobs.export_ledger",
        description=text[:300],
        kind=JobKind.EXPORT,
        status=JobStatus.SUCCEEDED,
        requested_by=user,
    )
    content = f"\ufeffid,source reference\r\n1,{text}\r\n".encode()
    export = export_model(
        job=job,
        requested_by=user,
        filename=f"{text}.csv"[:200],
        content_type="text/csv; charset=utf-8",
        size=len(content),
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    export.file.save("export.csv", ContentFile(content), save=True)
    # Its job stays out of the list: by_model[Job] must remain the failed, restartable one.
    return [export]


def _interval_data(facility, user, text: str) -> list:
    """An interval upload and its meter-day (issue 18), made by the import as a person would."""
    from emissions.activities.intervals import import_intervals

    content = io.StringIO()
    writer = csv.writer(content)
    writer.writerow(["facility", "meter", "start", "kwh"])
    writer.writerow([facility.code, f"{text} meter"[:60], f"{YEAR}-01-01 00:00", "1.5"])
    result = import_intervals(
        user=user, upload=io.BytesIO(content.getvalue().encode()), file_name=f"{text}.csv"
    )
    assert result.ok, result.errors
    return [result.upload, result.upload.days.get()]


@dataclass
class Objects:
    """Everything made, by model; `facility.code`, `record.pk`, … fill the URL parameters."""

    facility: Facility
    record: ActivityRecord
    evidence: object
    import_batch: object
    by_model: dict  # model class → one saved instance


def approve(records) -> None:
    """Mark the records approved where only reviewed records are counted (maker-checker)."""
    try:
        field = ActivityRecord._meta.get_field("status")
    except FieldDoesNotExist:
        return
    if "approved" in dict(field.choices or []):
        ActivityRecord.objects.filter(pk__in=[r.pk for r in records]).update(status="approved")


def build(organisation, user, *, text: str = "Security test") -> Objects:
    """Create one of everything, with `text` in every free-text field a page may show."""
    facility = Facility.objects.create(
        code="SEC-01",
        name_en=f"{text} plant",
        name_zh=f"{text} 工厂",
        kind="factory",
        address=text,
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2010, 1, 1),
    )
    output = FacilityOutput.objects.create(
        facility=facility, year=YEAR, metric="production", value=Decimal("1000"), unit=text[:20]
    )
    records = []
    for month, type_code, quantity, unit in [
        (3, "grid_electricity", "12400", "kWh"),
        # December: the year is complete, so the forecast has a base year to show.
        (12, "grid_electricity", "9800", "kWh"),
    ]:
        record = factories.make_record(
            facility,
            type_code,
            Decimal(quantity),
            unit,
            start=dt.date(YEAR, month, 1),
            end=dt.date(YEAR, month, 28),
            source_reference=f"{text} invoice",
            notes=f"{text} notes",
        )
        records.append(record)
    approve(records)
    record = records[0]
    evidence = evidence_services.attach_evidence(
        record=record,
        upload=SimpleUploadedFile(f"{text}.pdf", PDF, content_type="application/pdf"),
        description=text[:200],
        user=user,
    )
    batch = imports.start_import(user=user, file_name=f"{text}.csv", content=import_csv(text))

    project = CreditProject.objects.create(
        name=f"{text} forest",
        standard=CreditStandard.CCER,
        registry_project_id="CCER-SEC-001",
        project_type=ProjectType.AFFORESTATION,
        kind=CreditKind.REMOVAL,
        methodology=text[:200],
    )
    credit_batch = offset_services.add_credit_batch(
        project=project,
        vintage_year=YEAR - 1,
        quantity_t=Decimal(100),
        serial_first=1,
        serial_last=100,
        purchased_on=dt.date(YEAR, 1, 15),
        price_per_t=Decimal("80.00"),
    )
    retirement = offset_services.retire_credits(
        batch=credit_batch,
        quantity_t=Decimal(40),
        retired_on=dt.date(YEAR + 1, 3, 20),
        claimed_year=YEAR,
        registry_reference=f"RET-{text}"[:100],
        beneficiary_statement=text,
    )
    reversal = offset_services.reverse_retirement(
        retirement=retirement,
        quantity_t=Decimal(5),
        reversed_on=dt.date(YEAR + 1, 4, 1),
        reason=text,
    )
    planting = TreePlanting.objects.create(
        name=f"{text} trees",
        facility=facility,
        location=text,
        area_ha=Decimal("2.00"),
        species=text,
        planting_year=YEAR - 2,
        sequestration_t_per_year=Decimal("12.000"),
        method=text,
    )
    certificate = offset_services.add_energy_certificates(
        scheme=CertificateScheme.GEC,
        registry=text[:100],
        technology=Technology.SOLAR,
        **factories.gec_codes(1, 5, year=YEAR),
        mwh=Decimal(5),
        facility=facility,
        reporting_year=YEAR,
    )
    contract = offset_services.add_green_power_contract(
        reference=f"GP-{text}"[:100],
        seller=text[:200],
        trading_centre=text[:100],
        technology=Technology.WIND,
        facility=facility,
        starts_on=dt.date(YEAR, 1, 1),
        ends_on=dt.date(YEAR, 12, 31),
    )
    settlement = offset_services.record_settlement(
        contract=contract, year=YEAR, month=3, kwh=Decimal(1000)
    )
    generation_day = ContractGenerationDay.objects.create(
        contract=contract, day=dt.date(YEAR, 3, 1), **dict.fromkeys(HOURS, Decimal(1))
    )
    allowance = offset_services.record_allowance_transaction(
        facility=facility,
        compliance_year=YEAR,
        kind=AllowanceTransactionKind.ALLOCATION,
        quantity_t=Decimal(50),
        transacted_on=dt.date(YEAR, 12, 20),
        reference=text[:100],
    )
    target = Target(
        name=f"{text} target",
        kind="absolute",
        base_year=YEAR - 1,
        target_year=YEAR + 6,
        reduction_pct=Decimal("30"),
    )
    target.full_clean()
    target.save()
    initiative = ReductionInitiative(
        title=f"{text} initiative",
        facility=facility,
        kind="led",
        status="planned",
        start_date=dt.date(YEAR + 1, 1, 1),
        expected_abatement_t_per_year=Decimal("10"),
        capex=Decimal("1000"),
        annual_saving=Decimal("300"),
        lifetime_years=10,
    )
    initiative.full_clean()
    initiative.save()

    group = Group.objects.create(name=f"{text} group"[:150])
    attempt = AccessAttempt.objects.create(
        username="someone", ip_address="198.51.100.1", user_agent="test", failures_since_start=1
    )
    access_log = AccessLog.objects.create(
        username="someone", ip_address="198.51.100.1", user_agent="test"
    )
    failure_log = AccessFailureLog.objects.create(
        username="someone", ip_address="198.51.100.1", user_agent="test", locked_out=False
    )

    made = [*_optional_objects(user, text)]
    made += [
        organisation,
        facility,
        output,
        record,
        evidence,
        batch,
        project,
        credit_batch,
        retirement,
        reversal,
        planting,
        certificate,
        contract,
        settlement,
        generation_day,
        allowance,
        target,
        initiative,
        group,
        user,
        attempt,
        access_log,
        failure_log,
        Gas.objects.order_by("pk").first(),
        FactorDataset.objects.order_by("pk").first(),
        EmissionFactor.objects.order_by("pk").first(),
        ActivityType.objects.order_by("pk").first(),
    ]
    made += _interval_data(facility, user, text)
    return Objects(
        facility=facility,
        record=record,
        evidence=evidence,
        import_batch=batch,
        by_model={type(obj): obj for obj in made},
    )
