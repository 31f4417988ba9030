import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from emissions.activities.admin import ActivityRecordAdmin
from emissions.activities.models import ActivityRecord, ActivityType
from emissions.facilities.models import Facility
from emissions.factors.models import EmissionFactor, FactorDataset

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:activities_activityrecord_changelist"
ADD = "admin:activities_activityrecord_add"

RECORD_POST = {
    "activity_type": "",  # filled in from the fixtures
    "facility": "",
    "period_start": "2023-03-01",
    "period_end": "2023-03-31",
    "quantity": "10",
    "unit": "MWh",
    "data_quality": "invoice",
    "source_reference": "State Grid invoice 2023-03",
    "notes": "",
}


@pytest.fixture
def valid_post(organisation, hebei_plant):
    grid = ActivityType.objects.get(code="grid_electricity")
    return {**RECORD_POST, "facility": hebei_plant.pk, "activity_type": grid.pk}


@pytest.fixture
def closed_plant(db):
    return Facility.objects.create(
        code="XT-02",
        name_en="Old Xingtai plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
        closed_on=dt.date(2023, 2, 28),
    )


@pytest.fixture
def unfactored_type(db):
    """A factor-based type whose factor group has no factors at all."""
    return ActivityType.objects.create(
        code="widget_polishing",
        name="Widget polishing",
        category="s3_01",
        method="factor",
        factor_group="widget_polishing",
        default_unit="kg",
    )


@pytest.fixture
def supplier_factor(db):
    """The organisation's own Hebei 2023 grid factor, chosen over the shipped one."""
    dataset = FactorDataset.objects.create(
        name="Kehui supplier data", publisher="Kehui procurement", version="2023"
    )
    return EmissionFactor.objects.create(
        key="kehui_supplier_mix_2023",
        name="Supplier green-tariff mix 2023",
        dataset=dataset,
        group="grid_electricity",
        category="s2_electricity",
        unit="kWh",
        region="CN-HE",
        year=2023,
        co2_kg=Decimal("0.5"),
        source_reference="Supplier contract 2023-17",
    )


def make_records(make_record, facility, count):
    """`count` monthly electricity records across several years, and one diesel record."""
    records = [make_record(facility, "diesel_stationary", Decimal("2"), "t")]
    for i in range(count - 1):
        year, month = 2020 + i // 12, i % 12 + 1
        records.append(
            make_record(
                facility,
                "grid_electricity",
                Decimal(100 + i),
                "MWh",
                start=dt.date(year, month, 1),
                end=dt.date(year, month, 28),
            )
        )
    return records


def change_url(record):
    return reverse("admin:activities_activityrecord_change", args=[record.pk])


# The changelist


def test_the_record_changelist_shows_quantity_tonnes_and_the_linked_factor(
    admin_client, hebei_plant, make_record
):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    response = admin_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200
    assert "10 MWh" in html
    assert '<td class="field-tco2e">6.516</td>' in html  # 6,516 kg
    factor_url = reverse("admin:factors_emissionfactor_change", args=[record.factor_id])
    assert f'<a href="{factor_url}">grid_electricity_cn_he_2023</a>' in html


def test_the_tonnes_are_rounded_half_up_to_three_decimals(admin_client, hebei_plant, make_record):
    # 1.0005 MWh × 0.6516 kg/kWh = 651.9258 kg → 0.652 t
    make_record(hebei_plant, "grid_electricity", Decimal("1.0005"), "MWh")
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert "1.0005 MWh" in html
    assert '<td class="field-tco2e">0.652</td>' in html


@pytest.mark.parametrize(
    ("type_code", "unit", "year", "flags"),
    [
        ("grid_electricity", "MWh", 2023, "-"),
        ("grid_electricity", "MWh", 2025, "lagged"),
        ("grid_electricity", "MWh", 2020, "proxy year"),
        ("diesel_stationary", "t", 2023, "lagged"),
        ("flight_domestic", "passenger*km", 2025, "proxy region"),
        ("flight_domestic", "passenger*km", 2023, "proxy year, proxy region"),
    ],
)
def test_the_changelist_flags_records_whose_factor_is_not_from_their_year_or_region(
    admin_client, hebei_plant, make_record, type_code, unit, year, flags
):
    start, end = dt.date(year, 3, 1), dt.date(year, 3, 31)
    make_record(hebei_plant, type_code, Decimal("2"), unit, start=start, end=end)
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert f'<td class="field-flags">{flags}</td>' in html


def test_the_changelist_filters_by_year_and_year_match(admin_client, hebei_plant, make_record):
    make_records(make_record, hebei_plant, 14)  # 2020 and January 2021, proxy years
    url = reverse(CHANGELIST)
    response = admin_client.get(url, {"year": "2021", "factor_year_match__exact": "proxy"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "112 MWh" in html
    assert "111 MWh" not in html


def test_the_changelist_searches_facility_code_and_source_reference(
    admin_client, hebei_plant, us_plant, make_record
):
    make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    us_record = make_record(
        us_plant,
        "diesel_stationary",
        Decimal("1000"),
        "L",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 1, 31),
        save=False,
    )
    us_record.source_reference = "Fuel card statement 2025-01"
    us_record.save()
    url = reverse(CHANGELIST)
    assert "10 MWh" in admin_client.get(url, {"q": "XT-01"}).content.decode()
    html = admin_client.get(url, {"q": "fuel card"}).content.decode()
    assert "1000 L" in html
    assert "10 MWh" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_the_changelist_query_count_does_not_grow_with_the_records(
    admin_client, hebei_plant, us_plant, make_record, django_assert_max_num_queries, count
):
    make_records(make_record, hebei_plant, count)
    make_record(
        us_plant,
        "diesel_stationary",
        Decimal("1000"),
        "L",
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 1, 31),
    )
    with django_assert_max_num_queries(9):
        response = admin_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == count + 1


# The change page


def test_the_change_page_shows_the_calculation_read_only(admin_client, hebei_plant, make_record):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    html = admin_client.get(change_url(record)).content.decode()
    assert "Calculation" in html
    assert "6516.000000" in html
    assert reverse("admin:factors_emissionfactor_change", args=[record.factor_id]) in html
    assert 'name="quantity"' in html
    assert 'name="co2e_kg"' not in html
    assert 'name="factor"' not in html


def test_the_add_page_has_no_calculation_yet(admin_client, organisation):
    html = admin_client.get(reverse(ADD)).content.decode()
    assert 'name="quantity"' in html
    assert "Calculation" not in html


def test_the_admin_adds_a_record_and_calculates_it(admin_client, valid_post):
    response = admin_client.post(reverse(ADD), valid_post)
    assert response.status_code == 302
    record = ActivityRecord.objects.get()
    assert record.factor.key == "grid_electricity_cn_he_2023"
    assert record.co2e_kg == Decimal("6516.000000")


def test_changing_the_quantity_in_the_admin_recalculates(admin_client, valid_post):
    admin_client.post(reverse(ADD), valid_post)
    record = ActivityRecord.objects.get()
    response = admin_client.post(change_url(record), {**valid_post, "quantity": "20"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.co2e_kg == Decimal("13032.000000")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quantity": "-5"}, "Quantity cannot be negative."),
        ({"unit": "zorkmid"}, "Unknown unit 'zorkmid'."),
        (
            {"unit": "kg"},
            "The record's unit 'kg' does not convert to the unit of any factor for "
            "Grid electricity (kWh).",
        ),
        ({"period_end": "2023-02-28"}, "The period cannot end before it starts."),
        (
            {"period_start": "2023-12-01", "period_end": "2024-01-31"},
            "The period 2023-12-01 – 2024-01-31 crosses a year boundary; split it into one "
            "record per calendar year.",
        ),
        (
            {"period_start": "2007-03-01", "period_end": "2007-03-31"},
            "XT-01 opened on 2008-01-01, after this period starts.",
        ),
        ({"facility": "closed_plant"}, "XT-02 closed on 2023-02-28, before this period ends."),
        (
            {"activity_type": "unfactored_type", "unit": "kg"},
            "No emission factor for Widget polishing (factor group widget_polishing) in "
            "CN-HE → CN-North → CN → GLOBAL for 2023 or any other year",
        ),
    ],
)
def test_the_add_form_shows_the_models_message_for_bad_input_and_writes_nothing(
    admin_client, valid_post, closed_plant, unfactored_type, changes, message
):
    fixtures = {"closed_plant": closed_plant.pk, "unfactored_type": unfactored_type.pk}
    post = {**valid_post, **{k: fixtures.get(v, v) for k, v in changes.items()}}
    response = admin_client.post(reverse(ADD), post)
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not ActivityRecord.objects.exists()


def test_the_add_form_asks_for_the_organisation_profile_first(admin_client, hebei_plant):
    grid = ActivityType.objects.get(code="grid_electricity")
    post = {**RECORD_POST, "facility": hebei_plant.pk, "activity_type": grid.pk}
    response = admin_client.post(reverse(ADD), post)
    assert response.status_code == 200
    assert "Set up the organisation profile before recording activity." in (
        response.content.decode()
    )
    assert not ActivityRecord.objects.exists()


# The recalculate action


def test_the_recalculate_action_recomputes_only_the_selected_records(
    admin_client, hebei_plant, make_record, supplier_factor
):
    selected = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    other = make_record(hebei_plant, "grid_electricity", Decimal("20"), "MWh")
    assert selected.factor == supplier_factor
    assert selected.co2_kg == Decimal("5000.000000")
    # A factor changed behind the signals' back (e.g. a raw SQL fix): the records drift.
    EmissionFactor.objects.filter(pk=supplier_factor.pk).update(co2_kg=Decimal("0.6123"))

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "recalculate_selected", "_selected_action": [selected.pk]},
        follow=True,
    )
    assert "Recalculated 1 record." in response.content.decode()
    selected.refresh_from_db()
    other.refresh_from_db()
    assert selected.co2_kg == Decimal("6123.000000")
    assert selected.co2e_kg == Decimal("6123.000000")
    assert other.co2_kg == Decimal("10000.000000")


def test_the_recalculate_action_reports_records_it_cannot_calculate(
    admin_client, hebei_plant, make_record
):
    record = make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    Facility.objects.filter(pk=hebei_plant.pk).update(closed_on=dt.date(2023, 3, 15))

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "recalculate_selected", "_selected_action": [record.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert "1 record could not be recalculated and was left as it was" in html
    assert "XT-01 closed on 2023-03-15, before this period ends." in html
    assert "Recalculated" not in html
    record.refresh_from_db()
    assert record.co2e_kg == Decimal("6516.000000")


def test_the_recalculate_action_refuses_a_selection_beyond_its_limit(
    admin_client, hebei_plant, make_record, monkeypatch
):
    monkeypatch.setattr(ActivityRecordAdmin, "recalculate_limit", 1)
    records = make_records(make_record, hebei_plant, 2)
    ActivityRecord.objects.update(co2e_kg=0)

    response = admin_client.post(
        reverse(CHANGELIST),
        {"action": "recalculate_selected", "_selected_action": [r.pk for r in records]},
        follow=True,
    )
    html = response.content.decode()
    assert "Select at most 1 records to recalculate here (2 selected)" in html
    assert not ActivityRecord.objects.exclude(co2e_kg=0).exists()


# Activity types


def test_the_activity_type_changelist_filters_by_scope(admin_client):
    url = reverse("admin:activities_activitytype_changelist")
    response = admin_client.get(url, {"scope__exact": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "grid_electricity" in html
    assert "refrigerant_r410a" not in html


def test_the_activity_type_changelist_searches_the_chinese_name(admin_client):
    url = reverse("admin:activities_activitytype_changelist")
    html = admin_client.get(url, {"q": "电网电力"}).content.decode()
    assert "grid_electricity" in html
    assert "diesel_stationary" not in html


# Access


def test_a_staff_user_without_permission_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse(CHANGELIST)).status_code == 403


def test_a_viewer_sees_records_but_no_recalculate_action(
    client, django_user_model, hebei_plant, make_record
):
    make_record(hebei_plant, "grid_electricity", Decimal("10"), "MWh")
    user = django_user_model.objects.create_user("auditor", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_activityrecord"))
    client.force_login(user)
    response = client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200
    assert "10 MWh" in html
    assert 'value="recalculate_selected"' not in html


def test_a_non_staff_user_is_sent_to_the_admin_login(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_record_changelist_loads_the_admin_stylesheet(admin_client):
    html = admin_client.get(reverse("admin:activities_activityrecord_changelist")).content.decode()
    assert "css/admin.css" in html


def test_the_import_log_is_listed_and_read_only(admin_client, organisation, hebei_plant):
    from emissions.activities import imports

    user = admin_client.get(reverse("admin:index")).wsgi_request.user
    content = (
        b"facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"
        b"XT-01,grid_electricity,2023-03-01,2023-03-31,1000,kWh,metered\n"
    )
    batch = imports.start_import(user=user, file_name="march.csv", content=content)
    imports.commit_import(batch=batch, user=user, sha=batch.sha256)

    listing = admin_client.get(reverse("admin:activities_importbatch_changelist"))
    assert listing.status_code == 200
    assert "march.csv" in listing.content.decode()
    page = admin_client.get(reverse("admin:activities_importbatch_change", args=[batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert batch.sha256 in html and "1 record imported." in html
    assert 'name="_save"' not in html  # nothing to save: the log is evidence
    assert admin_client.get(reverse("admin:activities_importbatch_add")).status_code == 403
    delete = reverse("admin:activities_importbatch_delete", args=[batch.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
