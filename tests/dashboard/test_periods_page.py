"""The reporting periods page: lock a year, unlock it with a reason, the lock history; and the
record and report pages saying that their year is locked."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from emissions.activities.models import ActivityRecord
from emissions.facilities import periods
from emissions.facilities.models import ReportingYearLock

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:periods")


def lock_url(year: int) -> str:
    return reverse("dashboard:period_lock", args=[year])


def unlock_url(year: int) -> str:
    return reverse("dashboard:period_unlock", args=[year])


def make_user(django_user_model, username: str, *codenames: str):
    user = django_user_model.objects.create_user(username, password=f"{username}-pass-123")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def approver(django_user_model):
    return make_user(django_user_model, "mei.lin", "lock_reporting_year", "view_activityrecord")


@pytest.fixture
def administrator(django_user_model):
    return make_user(
        django_user_model, "wang.admin", "unlock_reporting_year", "view_activityrecord"
    )


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


def march(year: int) -> dict:
    return {"start": dt.date(year, 3, 1), "end": dt.date(year, 3, 31)}


@pytest.fixture
def two_years(make_record, hebei_plant):
    return tuple(
        make_record(hebei_plant, "grid_electricity", 1000, "kWh", **march(year))
        for year in (2023, 2024)
    )


def row_of(html: str, year: int) -> str:
    start = html.index(f'<tr id="year-{year}">')
    return html[start : html.index("</tr>", start)]


# The page


def test_it_lists_the_years_with_records_and_a_lock_form_for_each_open_one(
    approver_client, two_years
):
    response = approver_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for year in (2023, 2024):
        row = row_of(html, year)
        assert "Open" in row
        assert f'action="{lock_url(year)}"' in row
        assert f"Lock {year}" in row
    assert "No year has been locked yet." in html


def test_a_locked_year_shows_who_locked_it_when_and_the_note(
    administrator_client, approver, two_years
):
    periods.lock_year(year=2023, user=approver, note="Verified by SGS, statement 117")
    html = administrator_client.get(URL).content.decode()
    row = row_of(html, 2023)
    assert "Locked" in row and "by mei.lin on" in row
    assert "Verified by SGS, statement 117" in row
    assert f'action="{unlock_url(2023)}"' in row
    assert f'action="{unlock_url(2024)}"' not in html  # 2024 is open


def test_who_may_only_lock_sees_no_unlock_form_and_vice_versa(
    approver_client, administrator, approver, two_years
):
    periods.lock_year(year=2023, user=approver)
    html = approver_client.get(URL).content.decode()
    assert f'action="{unlock_url(2023)}"' not in html
    assert f'action="{lock_url(2024)}"' in html
    approver_client.force_login(administrator)
    html = approver_client.get(URL).content.decode()
    assert f'action="{unlock_url(2023)}"' in html
    assert f'action="{lock_url(2024)}"' not in html


def test_anonymous_users_are_sent_to_log_in(client):
    for response in (client.get(URL), client.post(lock_url(2023)), client.post(unlock_url(2023))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_user_without_the_permissions_gets_403(viewer_client, two_years):
    assert viewer_client.get(URL).status_code == 403
    assert viewer_client.post(lock_url(2023)).status_code == 403
    assert viewer_client.post(unlock_url(2023), {"reason": "x"}).status_code == 403
    assert not ReportingYearLock.objects.exists()


def test_an_approver_may_not_unlock(approver_client, approver, two_years):
    periods.lock_year(year=2023, user=approver)
    response = approver_client.post(unlock_url(2023), {"reason": "restatement"})
    assert response.status_code == 403
    assert periods.lock_for(2023) is not None


def test_the_administrator_may_not_lock(administrator_client, two_years):
    assert administrator_client.post(lock_url(2024)).status_code == 403
    assert periods.lock_for(2024) is None


def test_the_page_and_the_forms_refuse_other_methods(approver_client):
    assert approver_client.post(URL).status_code == 405
    assert approver_client.get(lock_url(2023)).status_code == 405
    assert approver_client.get(unlock_url(2023)).status_code == 405


def test_a_year_out_of_range_is_404(approver_client):
    assert approver_client.post(lock_url(1066)).status_code == 404


def test_the_page_has_no_inline_styles_or_scripts(approver_client, approver, two_years):
    periods.lock_year(year=2023, user=approver)
    html = approver_client.get(URL).content.decode()
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_the_navigation_links_the_page_only_for_who_may_lock_or_unlock(
    approver_client, administrator, client, viewer, two_years
):
    assert f'href="{URL}"' in approver_client.get(reverse("dashboard:ledger")).content.decode()
    approver_client.force_login(administrator)
    assert f'href="{URL}"' in approver_client.get(reverse("dashboard:ledger")).content.decode()
    client.force_login(viewer)
    assert f'href="{URL}"' not in client.get(reverse("dashboard:facility_list")).content.decode()


def test_the_query_count_is_pinned(
    approver_client,
    approver,
    administrator,
    two_years,
    hebei_plant,
    make_record,
    django_assert_num_queries,
):
    periods.lock_year(year=2023, user=approver)
    # session, user, user permissions, group permissions, the locks with their users, the
    # years with records
    with django_assert_num_queries(6):
        approver_client.get(URL)
    make_record(hebei_plant, "grid_electricity", 1000, "kWh", **march(2022))
    periods.unlock_year(year=2023, user=administrator, reason="restatement")
    periods.lock_year(year=2022, user=approver)
    with django_assert_num_queries(6):
        approver_client.get(URL)


# Locking


def test_locking_a_year_records_it_and_says_so(approver_client, approver, two_years):
    response = approver_client.post(lock_url(2023), {"note": "Verified by SGS"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Reporting year 2023 is locked: its records" in response.content.decode()
    lock = periods.lock_for(2023)
    assert lock.locked_by == approver and lock.note == "Verified by SGS"


def test_locking_a_locked_year_again_is_refused_with_a_message(
    approver_client, approver, two_years
):
    periods.lock_year(year=2023, user=approver)
    response = approver_client.post(lock_url(2023), {"note": "again"}, follow=True)
    assert "Reporting year 2023 is already locked" in response.content.decode()
    assert ReportingYearLock.objects.count() == 1


def test_a_note_over_500_characters_is_refused(approver_client, two_years):
    response = approver_client.post(lock_url(2023), {"note": "x" * 501})
    assert response.status_code == 400
    row = row_of(response.content.decode(), 2023)
    assert "Ensure this value has at most 500 characters (it has 501)." in row
    assert not ReportingYearLock.objects.exists()


# Unlocking


def test_unlocking_needs_a_reason(administrator_client, approver, two_years):
    periods.lock_year(year=2023, user=approver)
    for data in ({}, {"reason": "   "}):
        response = administrator_client.post(unlock_url(2023), data)
        assert response.status_code == 400
        row = row_of(response.content.decode(), 2023)
        assert "Say why the year is unlocked: the reason is kept with the lock." in row
    assert periods.lock_for(2023) is not None


def test_unlocking_is_recorded_with_who_when_and_why(
    administrator_client, administrator, approver, two_years
):
    periods.lock_year(year=2023, user=approver, note="Verified")
    response = administrator_client.post(
        unlock_url(2023), {"reason": "Supplier restated the March bill"}, follow=True
    )
    html = response.content.decode()
    assert "Reporting year 2023 is unlocked; the reason is recorded." in html
    assert periods.lock_for(2023) is None
    lock = ReportingYearLock.objects.get(year=2023)
    assert lock.unlocked_by == administrator and lock.unlocked_at is not None
    assert lock.unlock_reason == "Supplier restated the March bill"
    # The history lists the lock with who unlocked it and why.
    assert "Supplier restated the March bill" in html and "wang.admin" in html


def test_unlocking_an_open_year_is_refused_with_a_message(administrator_client, two_years):
    response = administrator_client.post(unlock_url(2024), {"reason": "why not"}, follow=True)
    assert "Reporting year 2024 is not locked." in response.content.decode()
    assert not ReportingYearLock.objects.exists()


# Other pages say that their year is locked


def test_the_record_page_says_its_year_is_locked_and_offers_no_changes(
    client, django_user_model, approver, two_years
):
    user = make_user(
        django_user_model, "editor", "view_activityrecord", "change_activityrecord",
        "add_evidencefile", "delete_evidencefile",
    )  # fmt: skip
    client.force_login(user)
    locked, open_ = two_years
    periods.lock_year(year=2023, user=approver)
    html = client.get(reverse("dashboard:record_detail", args=[locked.pk])).content.decode()
    assert "Reporting year 2023 is locked (verified)" in html
    assert "Edit in the admin" not in html
    assert "Upload evidence" not in html
    html = client.get(reverse("dashboard:record_detail", args=[open_.pk])).content.decode()
    assert "is locked (verified)" not in html
    assert "Edit in the admin" in html and "Upload evidence" in html


def test_the_report_says_its_year_is_locked(client, approver, two_years):
    ActivityRecord.objects.update(status="approved")  # the report counts approved records
    client.force_login(approver)
    periods.lock_year(year=2023, user=approver)
    html = client.get(reverse("dashboard:report_year", args=[2023])).content.decode()
    assert "Reporting year 2023 is locked (verified)" in html
    html = client.get(reverse("dashboard:report_year", args=[2024])).content.decode()
    assert "is locked (verified)" not in html
