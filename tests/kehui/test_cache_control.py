"""Pages and downloads are never kept by a cache: Cache-Control: private, no-store.

They show a company's emissions to a logged-in user; a shared cache (a proxy) must not keep
them, nor the browser after logout. Static files are the exception: cacheable for good.
"""

import pytest
from django.test import Client

from tests.kehui import security_objects

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def objects(organisation, superuser):
    return security_objects.build(organisation, superuser)


@pytest.fixture
def root_client(superuser, objects):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/ledger/",
        "/facilities/SEC-01/",
        "/ledger/export.csv",
        "/facilities/SEC-01/export/years.csv",
        f"/report/{security_objects.YEAR}/",
        f"/report/{security_objects.YEAR}.xlsx",
        "/import/template.csv",
    ],
)
def test_every_page_and_download_is_private_and_not_stored(root_client, url):
    response = root_client.get(url)
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "private, no-store"


def test_a_redirect_and_an_error_page_are_not_stored_either(root_client):
    assert {"private", "no-store"} <= directives(root_client.get("/report/"))
    assert {"private", "no-store"} <= directives(root_client.get("/facilities/NOPE/"))
    assert {"private", "no-store"} <= directives(root_client.get("/?year=%00"))


def test_the_admin_keeps_its_own_never_cache_headers(root_client):
    response = root_client.get("/admin/facilities/facility/")
    assert response.status_code == 200
    assert {"private", "no-store", "no-cache", "must-revalidate"} <= directives(response)


def test_a_view_that_chose_its_own_policy_keeps_it(root_client, objects):
    # The evidence download says "private, no-cache" itself: it is left as it is.
    response = root_client.get(f"/evidence/{objects.evidence.pk}/")
    assert response.status_code == 200
    assert directives(response) == {"private", "no-cache"}
    response.close()


def test_the_login_page_of_an_anonymous_visitor_is_not_stored(client):
    response = client.get("/accounts/login/")
    assert {"private", "no-store"} <= directives(response)


def test_static_files_stay_cacheable(client, settings):
    # Served from the source folders, as under runserver (nothing is collected in tests).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "public" in directives(response)
    response.close()
