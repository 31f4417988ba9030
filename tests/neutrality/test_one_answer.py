"""One answer everywhere: every page, export and the report give the same figure for the same
thing, or state the basis on which they differ (issue 14).

Three parts: the defects a new user found on the demo data, each pinned; the whole demo, every
year and every facility filter, compared page against page; and generated organisations
(facilities, scopes, pending and rejected records, credits, certificates, targets of every kind)
checked for the same identities.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emissions.activities.models import ActivityRecord
from emissions.dashboard.pages.facilities import facility_listing, facility_page
from emissions.dashboard.pages.ledger import ledger_filter, ledger_page
from emissions.dashboard.pages.offsets import build_offsets_page
from emissions.dashboard.pages.overview import build_overview
from emissions.dashboard.pages.report import build_report
from emissions.dashboard.pages.targets import build_targets_page
from emissions.facilities.models import Facility
from emissions.factors.calculation import round_kg
from emissions.neutrality.inventory import (
    YearCoverage,
    balances_on_both_bases,
    both_bases,
    facility_gross,
    facility_years,
    kg_to_t,
    latest_complete_year,
    pending_records,
    yearly_balance,
    yearly_balances_on_both_bases,
)
from emissions.neutrality.models import Target
from tests.factories import make_record

pytestmark = pytest.mark.django_db

ZERO = Decimal(0)


@pytest.fixture
def demo(organisation):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def reader(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("one-answer-reader", password="x")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(user)
    return client


def _plant(code):
    return Facility.objects.create(
        code=code, name_en=f"Plant {code}", kind="factory", province="CN-HE",
        grid_region="CN-North", opened_on=dt.date(2008, 1, 1),
    )  # fmt: skip


# --- The defects, each with the test that failed before its fix -------------------------------


def test_the_overview_and_the_report_agree_on_2025_for_the_same_basis(demo, reader):
    """Before: the overview said net +601.1 t, the report −169.957 t, neither saying why."""
    overview = build_overview(year=2025, facility=None)
    report = build_report(2025)
    assert overview.verdict.approved.net_kg == report.balance.net_kg == Decimal("-169957.384771")
    assert overview.current.net_kg == report.with_pending.net_kg == Decimal("601079.643339")
    assert overview.pending.kg == report.pending.kg == Decimal("771037.028110")
    html = reader.get("/?year=2025").content.decode()
    assert "Neutral on approved data (net -170.0 t)." in html
    assert "The 771.0 t still in review (18 records) would leave it 601.1 t short." in html
    page = reader.get(reverse("dashboard:report_year", args=[2025])).content.decode()
    assert "With them, net would be 601.080 tCO2e (as the overview shows it)." in page


def test_the_pending_share_is_taken_against_the_figure_it_qualifies(demo, reader):
    """Before: "862.5 t (11.6 %) pending", 862.5 being 18.7 % of the 4,601.1 t headline."""
    overview = build_overview(year=2025, facility=None)
    assert overview.current.gross_kg == Decimal("4601079.643339")
    # 771,037.028110 / 4,601,079.643339 = 16.76 %
    assert overview.pending.share_pct == Decimal("16.8")
    html = reader.get("/?year=2025").content.decode()
    assert "incl. 771.0 t (16.8 % of it) pending approval, 18 records" in html


def test_a_net_zero_pathway_is_the_same_on_the_overview_and_the_targets_page(organisation):
    """Before: the overview drew a 90 % net-zero target to 0.0 t in 2030, the targets page to
    5.942 t (its own rule: base less 90 %)."""
    plant = _plant("NZ-01")
    make_record(plant, "natural_gas_stationary", "10", "t", start=dt.date(2019, 3, 1),
                end=dt.date(2019, 3, 31))  # fmt: skip
    make_record(plant, "natural_gas_stationary", "8", "t")
    Target.objects.create(
        name="Net zero 2030", kind="net_zero", base_year=2019, target_year=2030,
        reduction_pct=Decimal("90"), scope3_categories=[],
    )  # fmt: skip
    overview = build_overview(year=2023, facility=None)
    road = overview.charts["road"]["data"]
    drawn = dict(zip(map(int, road["labels"]), road["datasets"][-1]["data"], strict=True))
    (row,) = build_targets_page(year=2023).targets
    # The road shows the years with data, then every year to the target's.
    assert sorted(drawn) == [2019, *range(2023, 2031)]
    for point in row.points:
        if point.year in drawn:
            assert drawn[point.year] == float(kg_to_t(point.pathway).quantize(Decimal("0.001")))
    # 10 t of natural gas = 26,658.85798 kg in 2019; 10 % of it remains in 2030.
    assert row.points[-1].pathway == Decimal("2665.885798")
    assert drawn[2030] == 2.666


def test_the_charts_of_the_overview_add_up_to_its_headline_or_say_their_basis(demo, reader):
    """Before: "by facility" added up to 5,322.6 t against a headline of 4,601.1 t, Scope 3
    included freight outside the boundary and "by month" was location-based, all unsaid."""
    overview = build_overview(year=2025, facility=None)
    assert sum(kg for _f, kg in overview.by_facility) == overview.current.gross_kg
    outside = [row.label for row in overview.scope3_by_category if not row.in_boundary]
    assert outside  # the demo has freight and commuting outside the target's boundary
    html = reader.get("/?year=2025").content.decode()
    assert "by facility (tCO2e, within the target boundary: they add up to gross)" in html
    scope3 = html[html.index('id="table-scope3"') :]
    scope3 = scope3[: scope3.index("</table>")]
    assert '<th scope="col">Within the target boundary</th>' in scope3
    assert "<td>No</td>" in scope3
    assert "(tCO2e, all scopes, Scope 2 location-based as recorded)" in html


def test_a_report_of_a_year_without_approved_records_explains_what_is_missing(demo, reader):
    """Before: Django's debug 404 "No approved activity records for 2026"."""
    plant = Facility.objects.get(code="XT-01")
    make_record(plant, "grid_electricity", "1000", "kWh", start=dt.date(2026, 1, 1),
                end=dt.date(2026, 1, 31), status="submitted")  # fmt: skip
    response = reader.get(reverse("dashboard:report_year", args=[2026]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "No approved data for 2026 yet" in html
    assert "1 record of 2026 is still in review" in html
    assert f'href="{reverse("dashboard:ledger")}?year=2026&amp;review=pending"' in html
    # A year without any record is the site's own page too, with a 404 status.
    response = reader.get(reverse("dashboard:report_year", args=[1990]))
    assert response.status_code == 404
    assert "There are no activity records for 1990." in response.content.decode()


def test_a_partial_year_is_marked_and_compared_with_the_same_months(demo, reader):
    """Before: one 2026 month against the whole of 2025 ("−91.9 %"), and the overview opened
    on it."""
    plant = Facility.objects.get(code="XT-01")
    make_record(plant, "grid_electricity", "100000", "kWh", start=dt.date(2026, 1, 1),
                end=dt.date(2026, 1, 31))  # fmt: skip
    assert latest_complete_year(today=dt.date(2026, 12, 6)) == 2025
    html = reader.get("/").content.decode()
    assert "The whole organisation in 2025" in html  # opens on the latest complete year
    overview = build_overview(year=2026, facility=None)
    assert overview.is_partial
    assert overview.change_vs_previous_pct is None
    january = [this for month, this, _last in overview.by_month if month == 1][0]
    previous_january = [last for month, _this, last in overview.by_month if month == 1][0]
    assert overview.same_months.kg == january
    assert overview.same_months.previous_kg == previous_january
    html = reader.get("/?year=2026").content.decode()
    assert "Partial year: records to month 1" in html
    assert "vs months 1–1 of the previous year (all scopes, as recorded)" in html
    assert "vs previous year" not in html


def test_a_year_of_the_past_with_records_to_december_is_complete():
    today = dt.date(2026, 12, 6)
    assert not YearCoverage(2025, 12, today).is_partial
    assert YearCoverage(2025, 11, today).is_partial  # records stop before December
    assert YearCoverage(2026, 12, today).is_partial  # the year is still running


def test_the_facility_page_shows_its_year_and_adds_up_to_its_headline(demo, reader):
    """Before: with 2024 selected it listed 2025 records, and its location-based category
    table did not add up to its market-based headline."""
    plant = Facility.objects.get(code="XT-01")
    page = facility_page(plant, year=2024)
    assert {recent.record.year for recent in page.recent_records} == {2024}
    assert page.by_category_kg == page.current.gross_kg
    html = reader.get(reverse("dashboard:facility_detail", args=[plant.code]), {"year": 2024})
    assert "Most recent records of 2024" in html.content.decode()


def test_a_neutral_year_is_on_track_for_the_neutrality_target(demo, reader):
    """Before: "Carbon neutral by 2030" was off track on the targets page (measured on gross)
    while the overview called the same year neutral. A neutrality target is met on net."""
    target = Target.objects.get(kind="neutrality")
    for balance in yearly_balance():
        page = build_targets_page(year=balance.year)
        row = next(r for r in page.targets if r.target == target)
        assert row.selected.actual == balance.net_kg
        if balance.is_neutral:
            assert row.on_track is True


# --- The demo: every year, every page ---------------------------------------------------------


def test_every_page_of_the_demo_gives_the_same_figures(demo):
    balances = {b.year: b for b in yearly_balance()}
    target = Target.objects.get(kind="neutrality")
    facilities = list(Facility.objects.order_by("code"))
    for year, balance in balances.items():
        _check_year(year, balance, target, facilities)


def _check_year(year, balance, target, facilities):
    overview = build_overview(year=year, facility=None)
    current = overview.current
    # The headline and its stacks.
    assert current.gross_kg == balance.gross_kg
    assert current.scope1_kg + current.scope2_market_kg + current.scope3_kg == current.gross_kg
    assert current.net_kg == balance.net_kg
    assert sum(kg for _f, kg in overview.by_facility) == balance.gross_kg
    # By month: all scopes as recorded, approved and pending.
    assert sum(this for _m, this, _l in overview.by_month) == balance.all_scopes_location_kg
    # The targets page: the neutrality target's net and pathway are the overview's.
    targets = build_targets_page(year=year)
    neutral = next(r for r in targets.targets if r.target == target)
    assert neutral.selected.actual == balance.net_kg
    assert neutral.selected.gross == balance.gross_kg
    assert neutral.selected.pathway == balance.pathway_kg
    # The offsets page's coverage is against the same gross.
    offsets = build_offsets_page(year=year)
    row = next(r for r in offsets.credit_years if r.year == year)
    assert row.gross_kg == balance.gross_kg
    assert row.total_t * 1000 == balance.credits_kg
    # The report: approved data; with its pending records, the overview's figures.
    report = build_report(year)
    approved = overview.verdict.approved
    assert report.balance.net_kg == approved.net_kg
    assert report.balance.gross_kg == approved.gross_kg
    if report.pending is not None:
        assert report.with_pending.net_kg == balance.net_kg
        assert report.pending.kg == overview.pending.kg
    else:
        assert report.balance.net_kg == balance.net_kg
    # Facilities: each facility's figures add up to the organisation's, on each basis.
    own = facility_years(years=[year])
    assert sum(f.gross_kg for f in own) == balance.gross_kg
    assert sum(f.all_scopes_market_kg for f in own) == balance.all_scopes_market_kg
    # The lighter per-facility read (the facility list, the overview's chart) gives the same.
    detailed = {f.facility_id: (f.gross_kg, f.all_scopes_market_kg) for f in own}
    light = {
        g.facility_id: (g.gross_kg, g.all_scopes_market_kg) for g in facility_gross(years=[year])
    }
    assert light == detailed
    pages = [facility_page(f, year=year) for f in facilities]
    assert sum(p.current.gross_kg for p in pages if p.current) == balance.all_scopes_market_kg
    for facility, page in zip(facilities, pages, strict=True):
        if page.current is None:
            continue
        assert page.by_category_kg == page.current.gross_kg
        filtered = build_overview(year=year, facility=facility)
        assert filtered.current.gross_kg == page.current.gross_kg
    # The ledger's totals for the matching filter: as recorded (location-based), all scopes.
    # (Rounded to the milligram: SQLite sums decimals as floats; PostgreSQL is exact.)
    selected = ledger_filter(_query(year=year))
    assert round_kg(ledger_page(selected).co2e_kg) == balance.all_scopes_location_kg
    for scope, kg in [(1, balance.scope1_kg), (2, balance.scope2_location_kg)]:
        assert round_kg(ledger_page(ledger_filter(_query(year=year, scope=scope))).co2e_kg) == kg


def test_the_facility_list_adds_up_to_the_organisation(demo):
    listing = facility_listing(with_emissions=True)
    (balance,) = yearly_balance([listing.year])
    listed = [row.gross_kg for row in listing.rows if row.gross_kg is not None]
    assert sum(listed) == balance.all_scopes_market_kg


def test_the_downloads_give_the_page_figures(demo, reader):
    year = 2025
    overview = build_overview(year=year, facility=None)
    road = reader.get(reverse("dashboard:overview_export", args=["road", "csv"]), {"year": year})
    rows = [line.split(",") for line in road.content.decode("utf-8-sig").splitlines()[1:]]
    by_year = {int(row[0]): row for row in rows}
    assert Decimal(by_year[year][4]) == kg_to_t(overview.current.gross_kg)
    assert Decimal(by_year[year][6]) == kg_to_t(overview.current.net_kg)
    report = build_report(year)
    from emissions.dashboard.pages.report import workbook_sheets

    tables = workbook_sheets(report)
    # The first total is the gross within the target boundary; net is the offsets' footer.
    assert tables["totals"].rows[0][1] == kg_to_t(overview.verdict.approved.gross_kg)
    assert tables["offsets"].footer[1] == kg_to_t(overview.verdict.approved.net_kg)


def _query(**params):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return query


# --- Generated organisations -------------------------------------------------------------------

checked = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

ACTIVITIES = [
    ("natural_gas_stationary", "t"),
    ("grid_electricity", "MWh"),
    ("purchased_heat", "GJ"),
    ("hotel_nights", "night"),
    ("waste_landfill", "t"),
]
records = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # facility
        st.sampled_from(ACTIVITIES),
        st.integers(min_value=1, max_value=500),  # quantity
        st.sampled_from([2022, 2023]),
        st.sampled_from(["approved", "approved", "submitted", "draft", "rejected"]),
    ),
    min_size=1,
    max_size=12,
)
targets = st.tuples(
    st.sampled_from(["neutrality", "net_zero", "absolute"]),
    st.booleans(),  # Scope 1
    st.sampled_from([None, "market", "location"]),  # Scope 2
    st.sets(st.sampled_from(["s3_06", "s3_05"])),
)


@checked
@given(
    rows=records,
    target=st.none() | targets,
    certificate_mwh=st.integers(min_value=0, max_value=300),
    credits_t=st.integers(min_value=0, max_value=200),
)
def test_generated_organisations_give_one_answer(
    organisation, rows, target, certificate_mwh, credits_t
):
    with transaction.atomic():
        _generated(rows, target, certificate_mwh, credits_t)
        for year in sorted({year for *_rest, year, _status in rows}):
            _check_generated_year(year)
        transaction.set_rollback(True)


def _generated(rows, target, certificate_mwh, credits_t):
    from emissions.offsets.models import CreditBatch, CreditProject, EnergyCertificate, Retirement

    plants = [_plant(f"G-{i}") for i in range(3)]
    for facility, (code, unit), quantity, year, status in rows:
        record = make_record(
            plants[facility], code, Decimal(quantity), unit,
            start=dt.date(year, 5, 1), end=dt.date(year, 5, 31),
        )  # fmt: skip
        fields = {"status": status}
        if status == "rejected":
            fields["rejection_reason"] = "generated"
        ActivityRecord.objects.filter(pk=record.pk).update(**fields)
    if certificate_mwh:
        EnergyCertificate.objects.create(
            scheme="gec", registry="China GEC platform", technology="wind", serial_first=1,
            serial_last=1000, generation_start=dt.date(2023, 1, 1),
            generation_end=dt.date(2023, 12, 31), mwh=Decimal(certificate_mwh), facility=None,
            market_country="CN", reporting_year=2023, kg_co2e_per_kwh=ZERO,
        )  # fmt: skip
    if credits_t:
        project = CreditProject.objects.create(
            name="Generated", standard="ccer", registry_project_id="G-1",
            project_type="afforestation", kind="removal",
        )  # fmt: skip
        batch = CreditBatch.objects.create(
            project=project, vintage_year=2022, serial_first="1", serial_last="1000",
            quantity_t=Decimal(1000), purchased_on=dt.date(2023, 1, 1),
        )  # fmt: skip
        Retirement.objects.create(
            batch=batch, quantity_t=Decimal(credits_t), retired_on=dt.date(2024, 3, 1),
            claimed_year=2023, purpose="neutrality",
        )  # fmt: skip
    if target is not None:
        kind, scope1, scope2, scope3 = target
        Target.objects.create(
            name="Generated", kind=kind, base_year=2022, target_year=2030,
            reduction_pct=None if kind == "neutrality" else Decimal("50"),
            covers_scope1=scope1, covers_scope2=scope2 is not None,
            scope2_method=scope2 or "market", scope3_categories=sorted(scope3),
        )  # fmt: skip


def _check_generated_year(year):
    # Both bases read in one pass give what each basis read alone gives.
    both = yearly_balances_on_both_bases([year])
    for approved_only, together in ((False, both[0]), (True, both[1])):
        alone = yearly_balance([year], approved_only=approved_only)
        assert [(b.gross_kg, b.net_kg, b.scope2_market_kg) for b in together] == [
            (b.gross_kg, b.net_kg, b.scope2_market_kg) for b in alone
        ]
    # The overview's and the offsets page's read: every year with pending data, this one on
    # approved data too, and the records in review, in one pass; the same as each alone.
    read = balances_on_both_bases(approved_years=[year])
    assert read.with_pending == yearly_balance()
    assert read.approved == yearly_balance([year], approved_only=True, with_base_year=False)
    together, alone = read.both(year), both_bases(year)
    assert together.approved == alone.approved
    # (Its with-pending year has the base year beside it, as yearly_balance() gives it.)
    assert _figures(together.with_pending) == _figures(alone.with_pending)
    assert together.records_in_review == alone.records_in_review
    assert together.pending == alone.pending
    in_review = pending_records(years=[year]).get(year, 0)
    assert read.records_in_review.get(year, 0) == in_review
    for approved_only in (False, True):
        balances = yearly_balance([year], approved_only=approved_only)
        own = facility_years(years=[year], approved_only=approved_only)
        if not balances:
            assert not own
            continue
        (balance,) = balances
        assert sum((f.gross_kg for f in own), ZERO) == balance.gross_kg
        assert sum((f.all_scopes_market_kg for f in own), ZERO) == balance.all_scopes_market_kg
        light = facility_gross(years=[year], approved_only=approved_only)
        assert {(g.facility_id, g.gross_kg) for g in light} == {
            (f.facility_id, f.gross_kg) for f in own
        }
        parts = balance.boundary_scope1_kg + balance.boundary_scope2_kg
        assert parts + balance.boundary_scope3_kg == balance.gross_kg
    overview = build_overview(year=year, facility=None)
    if overview.current is None:
        return
    assert sum((kg for _f, kg in overview.by_facility), ZERO) == overview.current.gross_kg
    report = build_report(year)
    if report is not None:
        assert report.balance.net_kg == overview.verdict.approved.net_kg
        if report.pending is not None:
            assert overview.current.gross_kg - report.balance.gross_kg == overview.pending.kg
    for target in Target.objects.all():
        page = build_targets_page(year=year)
        row = next(r for r in page.targets if r.target == target)
        if row.selected is not None and target == overview.balance.target:
            expected = overview.current.net_kg if row.is_net else overview.current.gross_kg
            assert row.selected.actual == expected


def _figures(balance):
    if balance is None:
        return None
    return balance.gross_kg, balance.credits_kg, balance.net_kg, balance.scope2_facilities
