"""The approvals inbox: what waits for the signed-in approver, approved or rejected in bulk."""

import datetime as dt

import pytest
from django.urls import reverse

from emissions.activities import imports, workflow
from emissions.activities.models import ActivityRecord
from emissions.dashboard.pages import approvals as inbox
from emissions.roles.definitions import APPROVER, DATA_EDITOR, VIEWER
from tests.factories import user_in_roles

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:approvals")
REVIEW_URL = reverse("dashboard:approvals_review")
COUNT_URL = reverse("dashboard:approvals_count")
HEADER = "facility,activity_type,period_start,period_end,quantity,unit,data_quality\n"


@pytest.fixture
def bob(django_user_model):
    """A Data editor: enters, imports and submits records."""
    return user_in_roles(django_user_model, "bob", DATA_EDITOR)


@pytest.fixture
def alice(django_user_model):
    """A Data editor who is also an Approver: the maker-checker rule matters for her."""
    return user_in_roles(django_user_model, "alice", DATA_EDITOR, APPROVER)


@pytest.fixture
def carol(django_user_model):
    """An Approver only."""
    return user_in_roles(django_user_model, "carol", APPROVER)


@pytest.fixture
def enter(make_record, hebei_plant):
    """Enter a record for month `month` of 2023 as `user` (the history names them)."""

    def enter(user, month: int, quantity: str = "1000"):
        start = dt.date(2023, month, 1)
        record = make_record(
            hebei_plant,
            "grid_electricity",
            quantity,
            "kWh",
            start=start,
            end=start.replace(day=28),
            save=False,
        )
        record._history_user = user
        record.full_clean()
        record.save()
        return record

    return enter


def submit(user, *records):
    workflow.submit(ActivityRecord.objects.filter(pk__in=[r.pk for r in records]), user=user)


def import_rows(user, count: int, name="meters.csv"):
    """A committed import by `user` of `count` electricity records, month after month of 2024."""
    rows = "".join(
        f"XT-01,grid_electricity,2024-{n % 12 + 1:02d}-01,2024-{n % 12 + 1:02d}-28,{1000 + n},"
        "kWh,metered\n"
        for n in range(count)
    )
    batch = imports.start_import(user=user, file_name=name, content=(HEADER + rows).encode())
    imports.commit_import(batch=batch, user=user, sha=batch.sha256)
    return batch


def statuses(*records) -> list[str]:
    return [ActivityRecord.objects.get(pk=record.pk).status for record in records]


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The page.


def test_it_lists_the_records_and_imports_waiting_for_the_approver(
    client, carol, bob, enter, organisation, hebei_plant
):
    march, april = enter(bob, 3), enter(bob, 4)
    submit(bob, march, april)
    batch = import_rows(bob, 3, name="january-march.csv")
    client.force_login(carol)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Approvals</h1>" in html
    assert "5 records are waiting for your review." in html
    for record in ActivityRecord.objects.all():
        assert f'name="records" value="{record.pk}"' in html
    # The import, with how many of its records wait, and a link to review it whole.
    assert "january-march.csv</a>" in html
    assert reverse("dashboard:import_batch", args=[batch.pk]) in html
    assert '<td class="num">3</td>' in html
    assert "Review the whole import" in html
    # Bulk actions: approve, and reject with a reason.
    assert 'name="action" value="approve"' in html
    assert 'name="action" value="reject"' in html
    assert 'name="reason"' in html
    assert "csrfmiddlewaretoken" in html


def test_an_empty_inbox_says_so(client, carol):
    client.force_login(carol)
    html = client.get(URL).content.decode()
    assert "Nothing is waiting for your review." in html
    assert "No import is waiting for review." in html
    assert 'name="action"' not in html


def test_records_and_imports_of_the_approver_are_set_apart_with_the_reason(
    client, alice, bob, enter, organisation, hebei_plant
):
    own = enter(alice, 3)
    submit(alice, own)  # submitted by alice: not listed, counted apart
    entered = enter(alice, 4)
    submit(bob, entered)  # entered by alice, submitted by bob: listed, marked, no checkbox
    others = enter(bob, 5)
    submit(bob, others)
    import_rows(alice, 1, name="alices.csv")  # alice's import: her records are not listed
    client.force_login(alice)
    html = client.get(URL).content.decode()
    assert "2 records are waiting for your review." in html
    assert "Not listed: 2 records you submitted, which someone else must review." in html
    assert f'name="records" value="{others.pk}"' in html
    assert f'value="{entered.pk}"' not in html
    assert ">yours</span>" in html
    assert "You imported it: someone else must review it." in html


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (URL, COUNT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(REVIEW_URL).status_code == 302


def test_users_who_may_not_approve_get_403(client, bob, django_user_model):
    viewer = user_in_roles(django_user_model, "vera", VIEWER, staff=False)
    for user in (viewer, bob):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(COUNT_URL).status_code == 403
        assert client.post(REVIEW_URL, {"records": ["1"], "action": "approve"}).status_code == 403


def test_the_wrong_method_is_405(client, carol):
    client.force_login(carol)
    assert client.post(URL).status_code == 405
    assert client.get(REVIEW_URL).status_code == 405
    assert client.post(COUNT_URL).status_code == 405
    assert client.put(URL).status_code == 405


def test_only_approvers_see_the_link_and_its_count_in_the_navigation(
    client, carol, bob, enter, organisation, hebei_plant
):
    record = enter(bob, 3)
    submit(bob, record)
    client.force_login(carol)
    html = client.get(reverse("dashboard:ledger")).content.decode()
    assert f'href="{URL}"' in html and f'hx-get="{COUNT_URL}"' in html
    count = client.get(COUNT_URL).content.decode()
    assert ">1</span>" in count and "1 record waiting for your review" in count
    client.force_login(bob)
    html = client.get(reverse("dashboard:ledger")).content.decode()
    assert f'href="{URL}"' not in html and COUNT_URL not in html


def test_the_count_is_empty_when_nothing_waits(client, carol):
    client.force_login(carol)
    response = client.get(COUNT_URL)
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


# Bulk approve and reject.


def test_it_approves_the_selected_records_and_leaves_the_others(
    client, carol, bob, enter, organisation, hebei_plant
):
    first, second, third = enter(bob, 3), enter(bob, 4), enter(bob, 5)
    submit(bob, first, second, third)
    client.force_login(carol)
    response = client.post(
        REVIEW_URL, {"records": [first.pk, second.pk], "action": "approve"}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    assert messages_of(response) == ["Approved 2 records."]
    assert statuses(first, second, third) == ["approved", "approved", "submitted"]
    assert ActivityRecord.objects.get(pk=first.pk).reviewed_by == carol
    assert "1 record is waiting for your review." in response.content.decode()


def test_a_rejection_without_a_reason_changes_nothing_and_says_why(
    client, carol, bob, enter, organisation, hebei_plant
):
    record = enter(bob, 3)
    submit(bob, record)
    client.force_login(carol)
    for reason in ("", "   "):
        response = client.post(
            REVIEW_URL, {"records": [record.pk], "action": "reject", "reason": reason}, follow=True
        )
        assert messages_of(response) == ["Say why: the submitter will read it."]
        assert statuses(record) == ["submitted"]


def test_it_rejects_the_selected_records_with_the_reason(
    client, carol, bob, enter, organisation, hebei_plant
):
    first, second = enter(bob, 3), enter(bob, 4)
    submit(bob, first, second)
    client.force_login(carol)
    response = client.post(
        REVIEW_URL,
        {"records": [first.pk, second.pk], "action": "reject", "reason": "Meter 2 misread"},
        follow=True,
    )
    assert messages_of(response) == [
        "Rejected 2 records: their submitters can correct them and submit them again."
    ]
    assert set(ActivityRecord.objects.values_list("status", "rejection_reason")) == {
        ("rejected", "Meter 2 misread")
    }


def test_maker_checker_refusals_are_reported_per_record_and_the_rest_is_approved(
    client, alice, bob, enter, organisation, hebei_plant
):
    own = enter(bob, 3)
    submit(alice, own)  # alice submitted it
    entered = enter(alice, 4)
    submit(bob, entered)  # alice entered it
    fine = enter(bob, 5)
    submit(bob, fine)
    client.force_login(alice)
    response = client.post(
        REVIEW_URL,
        {"records": [own.pk, entered.pk, fine.pk], "action": "approve"},
        follow=True,
    )
    assert messages_of(response) == [
        "Approved 1 record.",
        f"Record {own.pk} was not approved: You submitted 1 of these records: someone else "
        "must review it.",
        f"Record {entered.pk} was not approved: You entered or changed 1 of these records since "
        f"its last approval (record {entered.pk}): someone else must review it.",
    ]
    assert statuses(own, entered, fine) == ["submitted", "submitted", "approved"]


def test_records_no_longer_waiting_are_reported_and_missing_ones_named(
    client, carol, bob, enter, organisation, hebei_plant
):
    draft = enter(bob, 3)  # never submitted
    client.force_login(carol)
    response = client.post(REVIEW_URL, {"records": [draft.pk, 999999], "action": "approve"})
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == [
        f"Record {draft.pk} was not approved: 1 record is draft (e.g. record {draft.pk}): only "
        "submitted records can be approved.",
        "Record 999999 was not approved: It no longer exists (deleted or rolled back since "
        "the page was shown).",
    ]
    assert statuses(draft) == ["draft"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "approve"}, "Select the records to approve or reject."),
        ({"records": ["12x"], "action": "approve"}, "“12x” is not a record number."),
        ({"records": ["1"]}, "Choose to approve or to reject."),
        ({"records": ["1"], "action": "delete"}, "Select a valid choice. delete is not one of"),
        (
            {"records": [str(n) for n in range(1, 202)], "action": "approve"},
            "At most 200 records can be reviewed at once; 201 were selected.",
        ),
    ],
)
def test_each_invalid_field_is_a_message_and_nothing_changes(
    client, carol, bob, enter, organisation, hebei_plant, data, message
):
    record = enter(bob, 3)
    submit(bob, record)
    client.force_login(carol)
    response = client.post(REVIEW_URL, data, follow=True)
    assert response.status_code == 200
    assert any(text.startswith(message) for text in messages_of(response))
    assert statuses(record) == ["submitted"]


def test_a_locked_year_refuses_its_records_and_says_so(
    client, carol, bob, enter, organisation, hebei_plant
):
    from emissions.facilities import periods

    record = enter(bob, 3)
    submit(bob, record)
    periods.lock_year(year=2023, user=carol)
    client.force_login(carol)
    response = client.post(REVIEW_URL, {"records": [record.pk], "action": "approve"}, follow=True)
    [message] = messages_of(response)
    assert message.startswith(f"Record {record.pk} was not approved: ")
    assert "2023" in message
    assert statuses(record) == ["submitted"]


# Paging and query counts.


def test_it_pages_fifty_records_at_a_time_newest_period_first(
    client, carol, bob, organisation, hebei_plant
):
    import_rows(bob, 60)
    client.force_login(carol)
    first = client.get(URL).content.decode()
    assert "60 records are waiting for your review." in first
    assert first.count('name="records"') == inbox.PAGE_SIZE
    assert "Page 1 of 2" in first and f'href="{URL}?page=2"' in first
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count('name="records"') == 10
    assert 'name="page" value="2"' in second  # the bulk form comes back to this page
    past = client.get(URL, {"page": 99}).content.decode()
    assert "Page 2 of 2" in past
    bad = client.get(URL, {"page": "abc"}).content.decode()
    assert "Ignored page “abc”: Enter a whole number." in bad
    assert "Page 1 of 2" in bad


def test_after_a_bulk_review_it_returns_to_the_same_page(
    client, carol, bob, organisation, hebei_plant
):
    import_rows(bob, 60)
    ids = list(ActivityRecord.objects.order_by("pk").values_list("pk", flat=True)[:2])
    client.force_login(carol)
    response = client.post(REVIEW_URL, {"records": ids, "action": "approve", "page": "2"})
    assert response["Location"] == f"{URL}?page=2"


@pytest.mark.parametrize("count", [2, 40])
def test_the_page_takes_the_same_queries_however_many_records_wait(
    client, carol, bob, alice, enter, organisation, hebei_plant, count, django_assert_num_queries
):
    import_rows(bob, count)
    import_rows(bob, count, name="second.csv")
    mine = enter(alice, 3)
    submit(bob, mine)
    client.force_login(carol)
    # Session and user, the permissions (the user's, the groups'), then the page: the waiting
    # count (rollups), the approver's own count, the page of records, the maker-checker flags
    # for those rows (one history query) and the imports.
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert response.status_code == 200
    assert f"{2 * count + 1} records are waiting for your review." in response.content.decode()


def test_the_navigation_count_takes_two_queries_besides_the_login(
    client, carol, bob, organisation, hebei_plant, django_assert_num_queries
):
    import_rows(bob, 12)
    client.force_login(carol)
    with django_assert_num_queries(6):
        response = client.get(COUNT_URL)
    assert ">12</span>" in response.content.decode()
