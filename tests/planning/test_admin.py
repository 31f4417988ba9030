"""Expected streams in the admin: added with an owner and a due day; each bad field gets its
message and nothing is written; only administrators may set them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from emissions.activities.models import ActivityType
from emissions.planning.models import ExpectedStream
from emissions.roles.definitions import ADMINISTRATOR, DATA_EDITOR, VIEWER

pytestmark = pytest.mark.django_db

ADD = reverse("admin:planning_expectedstream_add")


def errors_of(response) -> dict:
    assert response.status_code == 200, "the form was expected back with its errors"
    form = response.context["adminform"].form
    return {field: list(messages) for field, messages in form.errors.items()}


@pytest.fixture
def stream_data(hebei_plant, admin_user):
    def data(**fields):
        return {
            "facility": hebei_plant.pk,
            "activity_type": ActivityType.objects.get(code="grid_electricity").pk,
            "frequency": "monthly",
            "owner": admin_user.pk,
            "due_day": "10",
            "starts_on": "2025-01-01",
            "ends_on": "",
            "note": "",
            **fields,
        }

    return data


def test_a_stream_is_added_with_its_owner_and_due_day(admin_client, stream_data, admin_user):
    response = admin_client.post(ADD, stream_data())

    assert response.status_code == 302
    stream = ExpectedStream.objects.get()
    assert (stream.owner, stream.due_day, stream.starts_on) == (admin_user, 10, dt.date(2025, 1, 1))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due_day": "31"}, "due_day", "Ensure this value is less than or equal to 28."),
        ({"due_day": "0"}, "due_day", "Ensure this value is greater than or equal to 1."),
        ({"due_day": "ten"}, "due_day", "Enter a whole number."),
        ({"owner": ""}, "owner", "This field is required."),
        ({"starts_on": "2025-13-01"}, "starts_on", "Enter a valid date."),
        ({"frequency": "weekly"}, "frequency", "Select a valid choice. weekly is not one of the "
         "available choices."),  # fmt: skip
        ({"ends_on": "2024-12-31"}, "__all__", "A stream cannot end before it starts."),
    ],
)
def test_each_bad_field_gets_its_message_and_nothing_is_written(
    admin_client, stream_data, fields, field, message
):
    response = admin_client.post(ADD, stream_data(**fields))

    assert message in errors_of(response)[field]
    assert not ExpectedStream.objects.exists()


def test_a_second_stream_for_the_same_facility_and_type_is_refused(admin_client, stream_data):
    admin_client.post(ADD, stream_data())
    response = admin_client.post(ADD, stream_data(due_day="15"))

    assert "This facility already has an expected stream for this activity type." in str(
        errors_of(response)
    )
    assert ExpectedStream.objects.get().due_day == 10


@pytest.mark.parametrize(
    ("role", "may_add"), [(ADMINISTRATOR, True), (DATA_EDITOR, False), (VIEWER, False)]
)
def test_administrators_set_streams_and_everyone_sees_them(django_user_model, role, may_add):
    user = django_user_model.objects.create_user(f"user-{role}".replace(" ", "-"))
    user.groups.add(Group.objects.get(name=role))

    assert user.has_perm("planning.view_expectedstream")
    assert user.has_perm("planning.add_expectedstream") is may_add
