"""Odd query parameters never make a server error, on any route the project serves.

Every URL pattern is walked (its path parameters filled from real objects) and sent the
parameters its pages read, and a made-up one, each set to an odd value: empty, negative,
huge, a NUL byte, a byte that is not UTF-8, the key repeated. Only routes that refuse GET (they
take POST only) are left out. The admin's changelists get their own filter parameters too.
"""

import re
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse

from tests.kehui.test_login_required import walk
from tests.kehui.test_security_walk import fill

ROUTES = sorted((name or "", route) for name, route in walk(get_resolver().url_patterns))

# What the dashboard's pages and Django's own views read from the query string, and one
# parameter nothing reads.
PARAMETERS = [
    "year", "facility", "scope", "category", "type", "month", "quality", "review", "status",
    "sort", "page", "q", "next", "language", "term", "app_label", "model_name", "field_name",
    "p", "o", "e", "_popup", "_to_field", "_changelist_filters", "zz_unknown",
]  # fmt: skip
# Each value as it stands in the query string (already percent-encoded).
ODD_VALUES = {
    "empty": "",
    "negative": "-1",
    "zero": "0",
    "huge": "9" * 30,
    "bigint": "9223372036854775807",
    "text": "abc",
    "nul": "%00",
    "not-utf8": "%ff",
}
# Routes the walk does not send parameters to, each with its reason.
SKIPPED_ROUTES = {
    "": "unnamed admin catch-alls: the old object URL (a redirect to change) and the 404",
}
# An app label may hold underscores (django_tasks_database); a model name and a suffix may not
# be told apart from it by the pattern alone, so the suffixes are listed.
ADMIN_MODEL_ROUTE = re.compile(
    r"^admin:(?P<app>[a-z_]+?)_(?P<model>[a-z]+)_"
    r"(?P<suffix>changelist|add|change|delete|history|simple_history|password_change|"
    r"autocomplete|import|process_import|export)$"
)


def odd_queries(parameters) -> dict[str, str]:
    """One query string per odd value, every parameter set to it; and one repeating each key."""
    names = [quote(name) for name in parameters]
    queries = {
        label: "&".join(f"{name}={value}" for name in names) for label, value in ODD_VALUES.items()
    }
    queries["repeated"] = "&".join(f"{name}=2024&{name}=-1" for name in names)
    return queries


def admin_url(name: str, route: str, objects) -> str:
    """An admin route's URL, its object taken from the test objects."""
    match = ADMIN_MODEL_ROUTE.match(name)
    model = None
    if match:
        model = next(
            (
                model
                for model in admin.site._registry
                if (model._meta.app_label, model._meta.model_name) == (match["app"], match["model"])
            ),
            None,
        )
    if model is None:
        if name == "admin:app_list":
            return reverse(name, kwargs={"app_label": "facilities"})
        if name == "admin:view_on_site":
            from django.contrib.contenttypes.models import ContentType

            facility = objects.facility
            content_type = ContentType.objects.get_for_model(facility)
            return reverse(name, args=[content_type.pk, facility.pk])
        return reverse(name)
    instance = objects.by_model[model]
    suffix = match["suffix"]
    if suffix in {"change", "delete", "history", "password_change"}:
        return reverse(name, args=[instance.pk])
    if suffix == "simple_history":
        version = model.history.filter(pk__isnull=False).order_by("history_id").first()
        return reverse(name, args=[instance.pk, version.history_id])
    return reverse(name)


def changelist_parameters(response) -> list[str]:
    """The filter parameters the changelist offers (list_filter and date hierarchy)."""
    changelist = response.context["cl"]
    names = []
    for spec in changelist.filter_specs:
        names += spec.expected_parameters()
    if changelist.date_hierarchy:
        names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    return names


def server_errors(client, url: str, parameters) -> list[str]:
    errors = []
    for label, query in odd_queries(parameters).items():
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {label}: {url}?{query[:120]}")
    return errors


def test_every_route_is_fuzzed_or_skipped_with_a_reason():
    names = {name for name, _ in ROUTES}
    assert set(SKIPPED_ROUTES) <= names
    assert {"dashboard:ledger", "dashboard:facility_detail", "admin:autocomplete"} <= names


@pytest.mark.django_db
def test_no_odd_query_parameter_makes_a_server_error(root_client, objects):
    errors = []
    fuzzed = 0
    for name, route in ROUTES:
        if name in SKIPPED_ROUTES:
            continue
        if name.startswith("admin:"):
            url = admin_url(name, route, objects)
        elif name.startswith("dashboard:"):
            url = fill(name, route, objects)
        else:
            url = reverse(name)
        plain = root_client.get(url)
        if plain.status_code == 405:
            continue  # takes POST only
        assert plain.status_code < 500, f"{name} {url}: {plain.status_code} without parameters"
        parameters = list(PARAMETERS)
        if name.endswith("_changelist"):
            parameters += changelist_parameters(plain)
        errors += server_errors(root_client, url, parameters)
        fuzzed += 1
    assert errors == [], "\n".join(errors)
    assert fuzzed > 150
