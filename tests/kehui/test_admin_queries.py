"""Every admin list page of the emissions apps costs the same number of queries for 2 rows as
for 10: a column that reads a related row or a count per row would add a query per row."""

import datetime as dt
import io
import itertools
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from emissions.activities.intervals import import_intervals
from emissions.activities.models import (
    HOURS,
    ActivityRecord,
    ActivityType,
    ImportBatch,
    IntervalUpload,
    MeterDay,
)
from emissions.evidence import services as evidence_services
from emissions.evidence.models import EvidenceFile
from emissions.facilities.models import Facility, FacilityOutput, Organisation, ReportingYearLock
from emissions.factors.models import EmissionFactor, ExchangeRate, FactorDataset, Gas
from emissions.neutrality.models import ReductionInitiative, Restatement, Target
from emissions.offsets.models import (
    AllowanceTransaction,
    ContractGenerationDay,
    ContractSettlement,
    CreditBatch,
    CreditProject,
    EnergyCertificate,
    GreenPowerContract,
    Retirement,
    RetirementReversal,
    TreePlanting,
)
from emissions.planning.models import ExpectedStream, Scenario
from emissions.products.models import Precursor, Process, Product, Production
from emissions.suppliers.models import DataRequest, Submission, Supplier, SupplierProduct
from tests.factories import make_record

FEW, MANY = 2, 10
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_config.name.startswith("emissions.")
}
# One row at most (the `organisation` fixture's): no second row to compare with.
SINGLETONS = {Organisation}

_serial = itertools.count(1)


def unique() -> int:
    """A number no other row of the test uses (codes, serials, usernames)."""
    return next(_serial)


def user():
    # No password: hashing one costs more than the whole page.
    return get_user_model().objects.create_user(f"user-{unique()}")


def facility() -> Facility:
    # Each row gets a related row of its own, so a per-row query cannot hit a shared instance.
    n = unique()
    return Facility.objects.create(
        code=f"F-{n}",
        name_en=f"Plant {n}",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2010, 1, 1),
    )


def record() -> ActivityRecord:
    return make_record(
        facility(), "grid_electricity", Decimal("1000"), "kWh",
        start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31),
    )  # fmt: skip


def project() -> CreditProject:
    n = unique()
    return CreditProject.objects.create(
        name=f"Project {n}",
        standard="ccer",
        registry_project_id=f"CCER-{n}",
        project_type="afforestation",
        kind="removal",
    )


def batch() -> CreditBatch:
    first = unique() * 1000
    return CreditBatch.objects.create(
        project=project(),
        vintage_year=2023,
        quantity_t=Decimal("100"),
        serial_first=first,
        serial_last=first + 99,
        purchased_on=dt.date(2024, 1, 15),
    )


def retirement() -> Retirement:
    return Retirement.objects.create(
        batch=batch(),
        quantity_t=Decimal("10"),
        retired_on=dt.date(2024, 3, 20),
        claimed_year=2024,
        registry_reference=f"RET-{unique()}",
    )


def dataset() -> FactorDataset:
    return FactorDataset.objects.create(name=f"Dataset {unique()}", publisher="Kehui", version="1")


def year_lock():
    # Unlocked, so that both user columns are filled and the years may repeat.
    return ReportingYearLock.objects.create(
        year=2000 + unique() % 50,
        locked_at=timezone.now(),
        locked_by=user(),
        unlocked_at=timezone.now(),
        unlocked_by=user(),
        unlock_reason="Restated.",
    )


def evidence_file():
    n = unique()
    upload = SimpleUploadedFile(f"bill-{n}.pdf", PDF, content_type="application/pdf")
    return evidence_services.attach_evidence(
        record=record(), upload=upload, description="", user=user()
    )


def interval_upload() -> IntervalUpload:
    """An upload of one meter-day of a facility of its own, made by the interval import."""
    content = f"facility,meter,start,kwh\n{facility().code},M1,2024-03-01 00:00,1.5\n"
    result = import_intervals(user=user(), upload=io.BytesIO(content.encode()), file_name="m.csv")
    assert result.ok, result.errors
    return result.upload


def supplier() -> Supplier:
    return Supplier.objects.create(name=f"Supplier {unique()}", category="services")


def supplier_product() -> SupplierProduct:
    return SupplierProduct.objects.create(
        supplier=supplier(), code=f"product-{unique()}", name="Coil", declared_unit="t"
    )


def product() -> Product:
    return Product.objects.create(code=f"product-{unique()}", name_en="Coil", cn_code="72083900")


def process() -> Process:
    return Process.objects.create(
        facility=facility(), name="Rolling", allocation_basis="mass", justification="by weight"
    )


def data_request() -> DataRequest:
    return DataRequest.objects.create(
        supplier=supplier(), year=2024, nonce=f"{unique():032d}", created_by=user()
    )


MAKE_ROW = {
    # Its facility, activity type and owner are columns.
    ExpectedStream: lambda: ExpectedStream.objects.create(
        facility=facility(), activity_type=ActivityType.objects.order_by("pk").first(),
        owner=user(), starts_on=dt.date(2024, 1, 1),
    ),  # fmt: skip
    Scenario: lambda: Scenario.objects.create(name=f"Scenario {unique()}"),
    Product: product,
    Process: process,
    Production: lambda: Production.objects.create(
        process=process(), product=product(), year=2024, month=3, quantity=Decimal(1)
    ),
    # Its supplier product is a column (the supplier's name with it).
    Precursor: lambda: Precursor.objects.create(
        facility=facility(), product=product(), year=2024, name="Billets", quantity_t=1,
        supplier_product=supplier_product(), default_kg_per_t=1900, default_source="mill",
    ),  # fmt: skip
    Supplier: supplier,
    SupplierProduct: supplier_product,
    DataRequest: data_request,
    # Reviewed by someone: the reviewer is a column.
    Submission: lambda: Submission.objects.create(
        request=data_request(), language="zh-hans", contact_name="王", status="accepted",
        reviewed_by=user(),
    ),  # fmt: skip
    ExchangeRate: lambda: ExchangeRate.objects.create(
        year=1990 + unique() % 100, cny_per_usd=Decimal("7"), source="Test"
    ),
    ReportingYearLock: year_lock,
    Facility: facility,
    FacilityOutput: lambda: FacilityOutput.objects.create(
        facility=facility(), year=2024, metric="production", value=Decimal("10"), unit="t"
    ),
    Gas: lambda: Gas.objects.create(
        code=f"GAS{unique()}", name="Test gas", formula="X", source="Test", gwp_ar5=Decimal("1")
    ),
    FactorDataset: dataset,
    EmissionFactor: lambda: EmissionFactor.objects.create(
        key=f"test-factor-{unique()}",
        name="Test factor",
        dataset=dataset(),
        group="test",
        category="s1_stationary",
        unit="kg",
        region="CN",
        year=2024,
        co2_kg=Decimal("1"),
        source_reference="Test",
    ),
    ActivityType: lambda: ActivityType.objects.create(
        code=f"test-type-{unique()}",
        name="Test type",
        category="s1_stationary",
        method="zero",
        default_unit="kg",
    ),
    ActivityRecord: record,
    ImportBatch: lambda: ImportBatch.objects.create(
        user=user(), file_name=f"import-{unique()}.xlsx", sha256="0" * 64
    ),
    EvidenceFile: evidence_file,
    IntervalUpload: lambda: interval_upload(),
    MeterDay: lambda: interval_upload().days.get(),
    CreditProject: project,
    CreditBatch: batch,
    Retirement: retirement,
    RetirementReversal: lambda: RetirementReversal.objects.create(
        retirement=retirement(),
        quantity_t=Decimal("1"),
        reversed_on=dt.date(2024, 6, 30),
        reason="Registry cancelled part of it.",
    ),
    TreePlanting: lambda: TreePlanting.objects.create(
        name=f"Grove {unique()}",
        facility=facility(),
        area_ha=Decimal("2"),
        species="Poplar",
        planting_year=2020,
        sequestration_t_per_year=Decimal("15"),
        method="IPCC default",
    ),
    EnergyCertificate: lambda: EnergyCertificate.objects.create(
        scheme="gec",
        registry="China GEC platform",
        technology="wind",
        serial_first=(first := unique() * 1000),
        serial_last=first + 999,
        generation_start=dt.date(2024, 1, 1),
        generation_end=dt.date(2024, 12, 31),
        mwh=Decimal("1000"),
        facility=facility(),
        market_country="CN",
        reporting_year=2024,
    ),
    GreenPowerContract: lambda: GreenPowerContract.objects.create(
        reference=f"BJPX-{unique()}",
        seller="Zhangbei wind farm",
        trading_centre="Beijing Power Exchange Center",
        technology="wind",
        facility=facility(),
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
    ),
    ContractSettlement: lambda: ContractSettlement.objects.create(
        contract=GreenPowerContract.objects.create(
            reference=f"GZPX-{unique()}",
            seller="Yunnan hydro",
            trading_centre="Guangzhou Power Exchange Center",
            technology="hydro",
            facility=facility(),
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2024, 12, 31),
        ),
        year=2024,
        month=3,
        kwh=Decimal("1000"),
    ),
    ContractGenerationDay: lambda: ContractGenerationDay.objects.create(
        contract=GreenPowerContract.objects.create(
            reference=f"GEN-{unique()}",
            seller="Xingtai solar park",
            trading_centre="Beijing Power Exchange Center",
            technology="solar",
            facility=facility(),
            starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2024, 12, 31),
        ),
        day=dt.date(2024, 6, 1),
        **dict.fromkeys(HOURS, Decimal("1")),
    ),
    AllowanceTransaction: lambda: AllowanceTransaction.objects.create(
        facility=facility(),
        compliance_year=2024,
        kind="allocation",
        quantity_t=Decimal("1000"),
        transacted_on=dt.date(2024, 2, 1),
    ),
    Target: lambda: Target.objects.create(
        name=f"Target {unique()}",
        kind="absolute",
        base_year=2019,
        target_year=2030,
        reduction_pct=Decimal("40"),
        scope3_categories=["s3_06"],
    ),
    ReductionInitiative: lambda: ReductionInitiative.objects.create(
        title=f"Initiative {unique()}",
        facility=facility(),
        kind="led",
        status="planned",
        expected_abatement_t_per_year=Decimal("12"),
        capex=Decimal("50000"),
        annual_saving=Decimal("3000"),
        lifetime_years=10,
    ),
    # Loaded by someone and decided by someone else: both users are columns.
    Restatement: lambda: Restatement.objects.create(
        dataset=dataset(), created_by=user(), decided_by=user(), status="discarded"
    ),
}


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def queries_for(client, model, rows) -> int:
    """Queries of the changelist filtered to `rows` (the shipped factors etc. stay out)."""
    ids = ",".join(str(row.pk) for row in rows)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(model), {"id__in": ids})
    assert response.status_code == 200
    # An unknown lookup would redirect with ?e=1; this is the page of exactly these rows.
    listed = list(response.context["cl"].result_list)
    assert sorted(row.pk for row in listed) == sorted(row.pk for row in rows)
    return len(queries)


def test_every_emissions_admin_has_a_row_maker():
    assert set(ADMINS) == set(MAKE_ROW) | SINGLETONS


@pytest.mark.parametrize(
    "model",
    [model for model in ADMINS if model not in SINGLETONS],
    ids=lambda model: model._meta.label,
)
def test_the_changelist_costs_the_same_queries_for_2_rows_as_for_10(
    admin_client, organisation, model
):
    rows = [MAKE_ROW[model]() for _ in range(MANY)]
    queries_for(admin_client, model, rows)  # warms the caches (content types, sites)

    few = queries_for(admin_client, model, rows[:FEW])
    many = queries_for(admin_client, model, rows)

    assert many == few, f"{model._meta.label}: {few} queries for {FEW} rows, {many} for {MANY}"


@pytest.mark.parametrize("model", sorted(SINGLETONS, key=str), ids=lambda m: m._meta.label)
def test_a_singleton_changelist_lists_its_one_row(admin_client, organisation, model):
    queries_for(admin_client, model, [model.objects.get()])
