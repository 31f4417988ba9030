"""The gap card and the retire form of the offsets page, and batch balances wherever a batch
is picked (the page's form and the admin's retirement form).

Worked example (as tests/neutrality/test_gap.py): Xingtai main plant, AR5, no target. 2023:
100 t natural gas approved (266,588.579795 kg) and 10 t pending (26,658.85798 kg), GB/T
32151.34's 2.1622 kg CO2/Nm³ through 48.0 GJ/t and 0.038931 GJ/Nm³. Credits retired for 2023:
200 t removal + 100 t avoidance − 20 t reversed = 280 t. Approved only: net −13,411.420205 kg,
13.4 t surplus; approved + pending: net 13,247.437775 kg, 13.2 t short. Batches still holding:
afforestation v2022 800 t, afforestation v2024 50 t (later than 2023: not offered), wind
v2021 400 t (after 20 t retired for ETS compliance); wind v2023 holds nothing.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from emissions.activities.models import ActivityRecord
from emissions.facilities import periods
from emissions.neutrality.selectors import yearly_balance
from emissions.offsets import services
from emissions.offsets.models import CreditProject, Retirement
from tests.factories import make_record

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboard:offsets")
RETIRE = reverse("dashboard:offsets_retire")
T = Decimal


def _project(registry_id, name, kind, project_type):
    return CreditProject.objects.create(
        registry_project_id=registry_id,
        name=name,
        standard="ccer",
        kind=kind,
        project_type=project_type,
    )


def _batch(project, tonnes, *, first, vintage):
    return services.add_credit_batch(
        project=project,
        vintage_year=vintage,
        quantity_t=T(tonnes),
        serial_first=first,
        serial_last=first + tonnes - 1,
        purchased_on=dt.date(2024, 1, 15),
    )


def _retire(batch, tonnes, *, year=2023, purpose="neutrality"):
    return services.retire_credits(
        batch=batch,
        quantity_t=T(tonnes),
        retired_on=dt.date(2024, 3, 1),
        claimed_year=year,
        registry_reference=f"RET-{batch.pk}-{tonnes}-{purpose}-{year}",
        purpose=purpose,
    )


def _record(facility, quantity, *, year=2023):
    """A year of natural gas burnt on site (Scope 1), by tonnes."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return make_record(facility, "natural_gas_stationary", T(quantity), "t", start=start, end=end)


@pytest.fixture
def worked_example(organisation, hebei_plant):
    approved = _record(hebei_plant, "100")
    _record(hebei_plant, "10")  # a draft: pending approval
    ActivityRecord.objects.filter(pk=approved.pk).update(status="approved")
    forest = _project("CCER-14-001", "Taihang afforestation", "removal", "afforestation")
    wind = _project("CCER-01-002", "Zhangjiakou wind", "avoidance", "renewable_energy")
    batches = {
        "forest_2022": _batch(forest, 1000, first=1, vintage=2022),
        "forest_2024": _batch(forest, 50, first=1001, vintage=2024),
        "wind_2021": _batch(wind, 500, first=5001, vintage=2021),
        "wind_2023": _batch(wind, 100, first=6001, vintage=2023),
    }
    _retire(batches["forest_2022"], 200)
    wind_retirement = _retire(batches["wind_2021"], 100)
    services.reverse_retirement(
        retirement=wind_retirement,
        quantity_t=T(20),
        reversed_on=dt.date(2024, 6, 30),
        reason="The registry cancelled part of the retirement.",
    )
    _retire(batches["wind_2021"], 20, purpose="ets_compliance")
    _retire(batches["wind_2023"], 100, year=2024)
    return batches


def _client_in(client, django_user_model, group):
    user = django_user_model.objects.create_user(group.lower().replace(" ", "-"), password="pw-123")
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return client


@pytest.fixture
def approver_client(client, django_user_model):
    """An approver: the role that may retire credits (emissions/roles/definitions.py)."""
    return _client_in(client, django_user_model, "Approver")


@pytest.fixture
def editor_client(client, django_user_model):
    """A data editor: records the batches bought, but retiring is an approver's decision."""
    return _client_in(client, django_user_model, "Data editor")


@pytest.fixture
def nothing_written(db):
    """`with nothing_written():` fails unless the block adds no retirement (nor its history)."""
    from contextlib import contextmanager

    @contextmanager
    def check():
        before = (Retirement.objects.count(), Retirement.history.count())
        yield
        assert (Retirement.objects.count(), Retirement.history.count()) == before

    return check


def _html(response, status=200):
    assert response.status_code == status
    return response.content.decode()


def _post(of, **fields):
    """The retire form's fields for batch `of`, with `fields` instead where given."""
    return {
        "batch": of.pk,
        "quantity_t": "17",
        "claimed_year": "2023",
        "retired_on": "2024-06-01",
        "registry_reference": "CCER-RET-17",
        "beneficiary_statement": "Retired on behalf of Xingtai Kehui for 2023.",
        **fields,
    }


# The card


def test_the_card_shows_the_year_short_or_in_surplus_on_both_bases(staff_client, worked_example):
    html = _html(staff_client.get(PAGE))
    assert "Gap to neutrality in 2023" in html
    assert (
        "Approved only (as the annual report counts)</th>\n      "
        '<td class="num">266.6</td><td class="num">280.0</td><td class="num">-13.4</td>'
        '<td><span class="badge badge-ok">13.4 t surplus</span></td>'
    ) in html
    assert (
        "Approved and pending (as the dashboard counts)</th>\n      "
        '<td class="num">293.2</td><td class="num">280.0</td><td class="num">13.2</td>'
        '<td><span class="badge badge-fail">13.2 t short</span></td>'
    ) in html


def test_the_card_lists_removals_before_avoidance_with_each_batch_remaining(
    staff_client, worked_example
):
    html = _html(staff_client.get(PAGE))
    assert "Credits available in unretired batches: 1,200.0 t" in html
    removals = html.index('<th scope="rowgroup" colspan="2">Removal</th><td class="num">800.0</td>')
    avoidance = html.index(
        '<th scope="rowgroup" colspan="2">Avoidance / reduction</th><td class="num">400.0</td>'
    )
    assert removals < avoidance
    assert (
        "<td>Taihang afforestation <code>CCER-14-001</code> "
        '<span class="muted">#1–1000</span></td><td>2022</td><td class="num">800.0</td>'
    ) in html
    assert (
        '<span class="muted">#5001–5500</span></td><td>2021</td><td class="num">400.0</td>'
    ) in html
    assert "#6001–6100" not in html  # the wind batch of 2023 holds nothing


def test_a_batch_of_a_later_vintage_is_shown_as_not_counting_and_not_offered(
    approver_client, worked_example
):
    html = _html(approver_client.get(PAGE))
    assert (
        '<td>2024 <span class="badge badge-muted">later than 2023: does not count for it</span>'
        '</td><td class="num">50.0</td>'
    ) in html
    assert f'<option value="{worked_example["forest_2024"].pk}"' not in html


def test_the_card_says_the_deadline_for_the_year_has_passed(staff_client, worked_example):
    # 2023's retirements had to be made by 2024-12-31; the tests run later than that.
    html = _html(staff_client.get(PAGE))
    assert "The deadline for 2023 passed on 2024-12-31: credits retired now no longer count" in html


def test_the_card_is_in_the_htmx_fragment_too(staff_client, worked_example):
    html = _html(staff_client.get(PAGE, {"year": "2023"}, headers={"hx-request": "true"}))
    assert html.lstrip().startswith('<div id="page-body">')
    assert "Gap to neutrality in 2023" in html


def test_an_empty_database_shows_no_card(staff_client):
    html = _html(staff_client.get(PAGE))
    assert "Gap to neutrality" not in html
    assert "Retire credits toward neutrality" not in html


# Who sees the form


def test_an_approver_sees_the_retire_form_with_each_batchs_balance(approver_client, worked_example):
    html = _html(approver_client.get(PAGE))
    assert "Retire credits toward neutrality" in html
    assert f'action="{RETIRE}?year=2023"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    forest, wind = worked_example["forest_2022"], worked_example["wind_2021"]
    assert (
        f'<option value="{forest.pk}">CCER-14-001 v2022 #1–1000 (Taihang afforestation): '
        "issued 1,000 t, retired 200 t, remaining 800 t</option>"
    ) in html
    # 100 retired for neutrality − 20 reversed + 20 for ETS compliance: 100 t net retired.
    assert (
        f'<option value="{wind.pk}">CCER-01-002 v2021 #5001–5500 (Zhangjiakou wind): '
        "issued 500 t, retired 100 t, remaining 400 t</option>"
    ) in html
    assert f'<option value="{worked_example["wind_2023"].pk}"' not in html  # nothing left
    assert 'name="claimed_year" value="2023"' in html


@pytest.mark.parametrize("fixture", ["staff_client", "editor_client"])
def test_who_may_not_retire_sees_no_form(request, fixture, worked_example):
    html = _html(request.getfixturevalue(fixture).get(PAGE))
    assert "Gap to neutrality in 2023" in html
    assert "Retire credits toward neutrality" not in html
    assert RETIRE not in html


@pytest.mark.parametrize("fixture", ["staff_client", "editor_client"])
def test_who_may_not_retire_gets_403_and_nothing_is_written(
    request, fixture, worked_example, nothing_written
):
    client = request.getfixturevalue(fixture)
    with nothing_written():
        response = client.post(RETIRE, _post(worked_example["forest_2022"]))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, worked_example):
    for response, url in [(client.get(PAGE), PAGE), (client.post(RETIRE, {}), RETIRE)]:
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"


def test_the_retire_address_takes_only_post(approver_client):
    assert approver_client.get(RETIRE).status_code == 405


# Retiring


def test_a_retirement_adds_exactly_its_credits_to_the_year_and_says_so(
    approver_client, worked_example
):
    forest = worked_example["forest_2022"]
    response = approver_client.post(f"{RETIRE}?year=2023", _post(forest))

    assert response.status_code == 302
    assert response.url == f"{PAGE}?year=2023"
    retirement = Retirement.objects.get(registry_reference="CCER-RET-17")
    assert (retirement.batch, retirement.quantity_t, retirement.purpose) == (
        forest,
        T("17"),
        "neutrality",
    )
    assert (retirement.claimed_year, retirement.retired_on) == (2023, dt.date(2024, 6, 1))
    (balance,) = yearly_balance(years=[2023])
    assert balance.credits_kg == T("297000")  # 280 t + 17 t
    assert balance.net_kg == T("-3752.562225")  # 293,247.437775 − 297,000

    html = _html(approver_client.get(response.url))
    assert f"Retired 17 tCO2e from batch {forest} for 2023." in html
    assert '<td><span class="badge badge-ok">3.8 t surplus</span></td>' in html
    assert "issued 1,000 t, retired 217 t, remaining 783 t</option>" in html


BAD_FIELDS = {
    "unknown batch": (
        {"batch": "999999"},
        "Batch: Choose one of the batches listed: that batch does not exist or holds no "
        "credits any more.",
    ),
    "no batch": ({"batch": ""}, "Batch: Choose the batch to retire credits from."),
    "no quantity": (
        {"quantity_t": "0"},
        "Quantity (tCO2e): The quantity must be more than 0 tCO2e.",
    ),
    "negative quantity": (
        {"quantity_t": "-5"},
        "Quantity (tCO2e): The quantity must be more than 0 tCO2e.",
    ),
    "not a number": ({"quantity_t": "lots"}, "Quantity (tCO2e): Enter a number."),
    "more than remains": (
        {"quantity_t": "801"},
        "Quantity (tCO2e): Batch CCER-14-001 v2022 #1–1000 holds only 800 tCO2e; "
        "cannot retire 801.",
    ),
    "year not a number": (
        {"claimed_year": "last year"},
        "Reporting year claimed for: Enter the reporting year as a number, e.g. 2024.",
    ),
    "year too early": (
        {"claimed_year": "1989"},
        "Reporting year claimed for: Enter a reporting year from 1990 to 2100.",
    ),
    "year too late": (
        {"claimed_year": "2101"},
        "Reporting year claimed for: Enter a reporting year from 1990 to 2100.",
    ),
    "no year": (
        {"claimed_year": ""},
        "Reporting year claimed for: Enter the reporting year the credits are retired for.",
    ),
    "retired before bought": (
        {"retired_on": "2023-12-01"},
        "Retired on: Credits cannot be retired on 2023-12-01, before batch CCER-14-001 v2022 "
        "#1–1000 was bought on 2024-01-15.",
    ),
    "no registry reference": (
        {"registry_reference": ""},
        "Registry retirement reference: This field is required.",
    ),
}


@pytest.mark.parametrize(("fields", "message"), BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_each_bad_field_shows_its_message_and_writes_nothing(
    approver_client, worked_example, nothing_written, fields, message
):
    with nothing_written():
        response = approver_client.post(
            f"{RETIRE}?year=2023", _post(worked_example["forest_2022"], **fields)
        )
    html = _html(response, status=400)
    assert escape(message) in html
    assert "Gap to neutrality in 2023" in html  # the page again, with the form as sent


def test_a_batch_that_holds_nothing_any_more_is_refused(
    approver_client, worked_example, nothing_written
):
    with nothing_written():
        response = approver_client.post(RETIRE, _post(worked_example["wind_2023"]))
    assert escape(BAD_FIELDS["unknown batch"][1]) in _html(response, status=400)


def test_a_vintage_later_than_the_year_claimed_is_refused(
    approver_client, worked_example, nothing_written
):
    with nothing_written():
        response = approver_client.post(RETIRE, _post(worked_example["forest_2024"]))
    assert escape(
        "Batch: Batch CCER-14-001 v2024 #1001–1050 is of vintage 2024, later than the year "
        "claimed (2023) or the retirement date (2024-06-01): its credits cannot count for 2023."
    ) in _html(response, status=400)


def test_a_locked_year_takes_no_retirement(
    approver_client, worked_example, django_user_model, nothing_written
):
    verifier = django_user_model.objects.create_user("verifier", password="verifier-pw-123")
    lock = periods.lock_year(year=2023, user=verifier)
    with nothing_written():
        response = approver_client.post(RETIRE, _post(worked_example["forest_2022"]))
    message = f"Reporting year claimed for: {periods.locked_message(lock)}"
    assert escape(message) in _html(response, status=400)


# Queries

# The page reads every year's balance on both approval bases and the records in review in one
# pass (inventory.balances_on_both_bases: the queries of one basis), so the card adds only the
# batches holding credits (1) to the 27 of the page without it (26, and the green-power
# contracts' settlements per year).
PAGE_QUERIES = 27 + 1
# An approver's page adds the retire form, whose batch options are the gap card's batches: no
# query of their own.
APPROVER_QUERIES = PAGE_QUERIES


def _more_credits(worked_example):
    forest = worked_example["forest_2022"].project
    for index in range(5):
        batch = _batch(forest, 10, first=20_001 + index * 10, vintage=2015 + index)
        _retire(batch, 3)
        _retire(batch, 2, year=2024)


def test_the_page_takes_the_same_queries_however_many_batches(
    staff_client, worked_example, django_assert_num_queries
):
    with django_assert_num_queries(PAGE_QUERIES):
        staff_client.get(PAGE)
    _more_credits(worked_example)
    with django_assert_num_queries(PAGE_QUERIES):
        staff_client.get(PAGE)


def test_an_approvers_page_takes_no_query_more_for_the_batch_options(
    approver_client, worked_example, django_assert_num_queries
):
    with django_assert_num_queries(APPROVER_QUERIES):
        approver_client.get(PAGE)
    _more_credits(worked_example)
    with django_assert_num_queries(APPROVER_QUERIES):
        html = approver_client.get(PAGE).content.decode()
    assert html.count(" t</option>") == 2 + 5  # the batch options


# The admin's batch picker


def test_the_admin_retirement_form_labels_each_batch_with_its_balance(admin_client, worked_example):
    html = _html(admin_client.get(reverse("admin:offsets_retirement_add")))
    forest = worked_example["forest_2022"]
    assert (
        f'<option value="{forest.pk}">CCER-14-001 v2022 #1–1000 (Taihang afforestation): '
        "issued 1,000 t, retired 200 t, remaining 800 t</option>"
    ) in html
    # The admin offers every batch, also one that holds nothing (the service refuses it).
    assert "issued 100 t, retired 100 t, remaining 0 t</option>" in html


def test_the_admin_retirement_form_takes_the_same_queries_however_many_batches(
    admin_client, worked_example
):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin:offsets_retirement_add")).status_code == 200
        return len(queries)

    count()  # the first request fills caches (content types)
    before = count()
    _more_credits(worked_example)
    assert count() == before


def test_the_batch_labels_are_in_chinese_for_chinese_readers(approver_client, worked_example):
    approver_client.cookies["django_language"] = "zh-hans"
    html = _html(approver_client.get(PAGE))
    assert "已发行 1,000 t，已注销 200 t，剩余 800 t" in html
    assert "2023 年的碳中和差距" in html
    # The date picker needs an ISO date whatever the language's date format.
    today = timezone.localdate().isoformat()
    assert f'<input type="date" name="retired_on" value="{today}"' in html


def test_permissions_come_from_the_roles():
    approver = Group.objects.get(name="Approver").permissions
    editor = Group.objects.get(name="Data editor").permissions
    retire = Permission.objects.get(codename="add_retirement")
    assert approver.filter(pk=retire.pk).exists()
    assert not editor.filter(pk=retire.pk).exists()
