"""Every URL the project routes needs a login, except the few that must be public."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Named public routes: the login page, the language switch (usable before logging in), the
# site icon, and the supplier's form, which its signed link opens without an account
# (tests/suppliers/test_requests.py: a wrong token gets "not a valid link", nothing else).
PUBLIC_ROUTES = {"login", "set_language", "admin:login", "favicon", "dashboard:supplier_link"}
SAMPLE_VALUES = {"int": "1", "path": "x/y", "str": "x", "slug": "x", "uuid": "0" * 32}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner_ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, prefix + str(entry.pattern)


def sample_url(route: str) -> str:
    if route.startswith("^"):  # a regex route, e.g. the admin's app index
        return "/" + re.sub(r"\(\?P<\w+>[^)]*\)", "facilities", route.strip("^$"))
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES[m.group(1) or "str"], route)


ROUTES = sorted(
    (name or "", sample_url(route)) for name, route in walk(get_resolver().url_patterns)
)


def test_the_route_list_covers_the_pages_we_know():
    urls = {url for _, url in ROUTES}
    assert reverse("dashboard:facility_list") in urls
    assert "/admin/" in urls
    assert len(ROUTES) > 10


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "url"), [r for r in ROUTES if r[0] not in PUBLIC_ROUTES])
def test_anonymous_visitors_are_sent_to_a_login_page(client, name, url):
    response = client.get(url)
    assert response.status_code == 302, f"{name or url} answered {response.status_code}"
    assert response.url.startswith((reverse("login"), reverse("admin:login"))), response.url


def test_the_site_icon_is_public(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response.url.endswith("img/favicon.svg")


@pytest.mark.django_db
def test_the_login_page_is_public(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Log in to Kehui Carbon" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_works_before_logging_in(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hans", "next": "/accounts/login/"}
    )
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "zh-hans"


@pytest.mark.django_db
def test_the_supplier_link_without_a_valid_token_shows_nothing(client):
    response = client.get(reverse("dashboard:supplier_link", args=["x"]))
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
