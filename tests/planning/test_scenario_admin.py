"""Forecast scenarios in the admin, with their measures inline: each bad field gets its message
and nothing is written; one plan at most, on every path that writes (form, history revert, code);
data editors write scenarios, viewers only see them."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse

from emissions.planning.models import Scenario, ScenarioMeasure
from emissions.roles.definitions import ADMINISTRATOR, DATA_EDITOR, VIEWER

pytestmark = pytest.mark.django_db

ADD = reverse("admin:planning_scenario_add")
PREFIX = "measures"


def errors_of(response) -> dict:
    """Errors of the scenario form and of its measures, by field ("measure-0.amount")."""
    assert response.status_code == 200, "the form was expected back with its errors"
    errors = {f: list(m) for f, m in response.context["adminform"].form.errors.items()}
    for formset in response.context["inline_admin_formsets"]:
        for index, form_errors in enumerate(formset.formset.errors):
            for field, messages in form_errors.items():
                errors[f"measure-{index}.{field}"] = list(messages)
        errors.update({"measures": list(formset.formset.non_form_errors())})
    return errors


def scenario_data(measures=(), **fields) -> dict:
    data = {
        "name": "Faster",
        "name_zh": "加速",
        "note": "",
        "grid_change_pct": "",
        "currency": "CNY",
        "avoidance_price": "80",
        "removal_price": "300",
        "price_change_pct": "5",
        "removals_share_start_pct": "10",
        "removals_share_end_pct": "100",
        f"{PREFIX}-TOTAL_FORMS": str(len(measures)),
        f"{PREFIX}-INITIAL_FORMS": "0",
        f"{PREFIX}-MIN_NUM_FORMS": "0",
        f"{PREFIX}-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, measure in enumerate(measures):
        row = {
            "title": "Solar",
            "kind": "rooftop_solar",
            "facility": "",
            "start_year": "2027",
            "amount": "2",
            "full_load_hours": "1200",
            "capex": "6400000",
            "annual_cost": "-950000",
            "lifetime_years": "25",
            **measure,
        }
        data.update({f"{PREFIX}-{index}-{key}": value for key, value in row.items()})
    return data


def test_a_scenario_is_added_with_its_measures(admin_client, hebei_plant):
    response = admin_client.post(
        ADD, scenario_data([{"facility": str(hebei_plant.pk)}], is_plan="on")
    )

    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.is_plan and scenario.removal_price == Decimal("300")
    measure = scenario.measures.get()
    assert (measure.facility, measure.amount, measure.full_load_hours) == (
        hebei_plant,
        Decimal("2"),
        1200,
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"grid_change_pct": "-60"},
            "grid_change_pct",
            "Ensure this value is greater than or equal to -50.",
        ),  # fmt: skip
        ({"grid_change_pct": "fast"}, "grid_change_pct", "Enter a number."),
        (
            {"removal_price": "-1"},
            "removal_price",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"removals_share_end_pct": "120"},
            "removals_share_end_pct",
            "Ensure this value is less than or equal to 100.",
        ),  # fmt: skip
        (
            {"price_change_pct": "500"},
            "price_change_pct",
            "Ensure this value is less than or equal to 100.",
        ),  # fmt: skip
    ],
)
def test_each_bad_scenario_field_gets_its_message(admin_client, fields, field, message):
    response = admin_client.post(ADD, scenario_data(**fields))

    assert message in errors_of(response)[field]
    assert not Scenario.objects.exists()


@pytest.mark.parametrize(
    ("measure", "field", "message"),
    [
        (
            {"full_load_hours": ""},
            "full_load_hours",
            "A solar measure needs its full-load hours a year.",
        ),  # fmt: skip
        ({"kind": "abatement"}, "full_load_hours", "Only a solar measure has full-load hours."),
        (
            {"full_load_hours": "9000"},
            "full_load_hours",
            "Ensure this value is less than or equal to 8760.",
        ),  # fmt: skip
        ({"amount": "0"}, "amount", "Ensure this value is greater than or equal to 0.001."),
        ({"amount": "lots"}, "amount", "Enter a number."),
        ({"start_year": ""}, "start_year", "This field is required."),
        ({"capex": "-5"}, "capex", "Ensure this value is greater than or equal to 0."),
        (
            {"lifetime_years": "0"},
            "lifetime_years",
            "Ensure this value is greater than or equal to 1.",
        ),  # fmt: skip
        (
            {"kind": "wind"},
            "kind",
            "Select a valid choice. wind is not one of the available choices.",
        ),  # fmt: skip
    ],
)
def test_each_bad_measure_field_gets_its_message_and_nothing_is_written(
    admin_client, measure, field, message
):
    response = admin_client.post(ADD, scenario_data([measure]))

    assert message in errors_of(response)[f"measure-0.{field}"]
    assert not Scenario.objects.exists() and not ScenarioMeasure.objects.exists()


def test_a_second_plan_is_refused_with_a_message(admin_client):
    Scenario.objects.create(name="The plan", is_plan=True)
    response = admin_client.post(ADD, scenario_data(is_plan="on"))

    assert "Another scenario is already the plan: unmark it first." in str(errors_of(response))
    assert Scenario.objects.count() == 1


def test_the_database_keeps_one_plan_whatever_writes(db):
    Scenario.objects.create(name="The plan", is_plan=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.create(name="Another plan", is_plan=True)
    Scenario.objects.create(name="Third", is_plan=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scenario.objects.filter(name="Third").update(is_plan=True)  # a bulk write, no form


def test_a_history_revert_to_a_second_plan_is_refused_with_a_message(admin_client):
    scenario = Scenario.objects.create(name="Once the plan", is_plan=True)
    scenario.is_plan = False
    scenario.save()
    Scenario.objects.create(name="The plan now", is_plan=True)
    version = scenario.history.order_by("history_date").first()
    url = reverse("admin:planning_scenario_simple_history", args=[scenario.pk, version.pk])

    response = admin_client.post(url, scenario_data(name="Once the plan", is_plan="on"))

    assert response.status_code == 200
    assert "Another scenario is already the plan: unmark it first." in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.is_plan is False


@pytest.mark.parametrize(
    ("role", "may_add"), [(ADMINISTRATOR, True), (DATA_EDITOR, True), (VIEWER, False)]
)
def test_data_editors_write_scenarios_and_everyone_sees_them(django_user_model, role, may_add):
    user = django_user_model.objects.create_user(f"user-{role}".replace(" ", "-"))
    user.groups.add(Group.objects.get(name=role))

    assert user.has_perm("planning.view_scenario")
    assert user.has_perm("planning.view_scenariomeasure")
    assert user.has_perm("planning.add_scenario") is may_add
    assert user.has_perm("planning.change_scenariomeasure") is may_add
