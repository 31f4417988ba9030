"""The site's own error pages: 404, 403 and 400, the 500 page, and a 503 when the database
cannot answer (a restart), instead of Django's bare defaults."""

import logging

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from emissions.dashboard.views import overview as overview_views
from emissions.dashboard.views.errors import server_error


@pytest.fixture
def failing_client(admin_user):
    """A logged-in client that gets the error response instead of the exception."""
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def break_the_overview(monkeypatch, exception):
    def build_overview(**_kwargs):
        raise exception

    monkeypatch.setattr(overview_views, "build_overview", build_overview)


@pytest.mark.django_db
def test_an_unknown_address_gets_the_sites_404_page_with_its_menu(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert '<a href="/">Go to the overview</a>' in html
    assert 'class="main-nav"' in html  # the user can go on from here


@pytest.mark.django_db
def test_a_missing_object_gets_the_same_404_page(admin_client):
    response = admin_client.get("/facilities/NO-SUCH-PLANT/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


@pytest.mark.django_db
def test_the_404_page_for_someone_not_logged_in_shows_no_menu(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'class="main-nav"' not in html


@pytest.mark.django_db
def test_the_404_page_speaks_chinese(admin_client):
    response = admin_client.get("/no-such-page/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 404
    assert "<h1>页面不存在</h1>" in response.content.decode()


@pytest.mark.django_db
def test_a_page_outside_the_users_role_gets_the_sites_403_page(client, outsider):
    client.force_login(outsider)
    response = client.get("/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>You do not have permission for this</h1>" in html
    assert "Viewer, Data editor, Approver or Administrator" in html


@pytest.mark.django_db
def test_a_request_for_a_host_we_do_not_serve_gets_the_400_page(client):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "<h1>The request could not be understood</h1>" in response.content.decode()


@pytest.mark.django_db
def test_an_error_in_the_code_gets_the_500_page_and_is_logged(
    failing_client, monkeypatch, caplog
):
    break_the_overview(monkeypatch, ZeroDivisionError("a bug"))
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong on our side</h1>" in html
    assert "a bug" not in html  # no internals on the page
    assert "Retry-After" not in response.headers
    logged = [record.exc_info[0] for record in caplog.records if record.exc_info]
    assert logged == [ZeroDivisionError]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "exception",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_database_that_cannot_answer_gets_a_503_to_retry(
    failing_client, monkeypatch, caplog, exception
):
    break_the_overview(monkeypatch, exception)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_client.get("/?year=2024")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    html = response.content.decode()
    assert "<h1>The database is unavailable for a moment</h1>" in html
    assert '<a class="button-primary" href="/?year=2024">Try again</a>' in html
    assert "terminating connection" not in html
    # Still logged for the operators, with the exception.
    logged = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert logged == [exception]


def test_after_a_failed_write_the_503_page_asks_to_check_before_repeating_it():
    request = RequestFactory().post("/periods/")
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    html = response.content.decode()
    assert "check whether it was saved before you repeat it" in html
    assert '<a href="/periods/">Open the page again</a>' in html
    assert "Try again" not in html


def test_outside_an_exception_the_handler_gives_the_500_page():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()



@pytest.mark.django_db
@pytest.mark.parametrize("cookie", ["x" * 32, None], ids=["stale token", "no cookie"])
def test_a_form_that_fails_the_csrf_check_gets_a_page_that_says_what_to_do(admin_user, cookie):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    if cookie:
        client.cookies["csrftoken"] = cookie  # not the one the form was made with
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": "y" * 32})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Your form could not be sent</h1>" in html
    assert "Nothing was saved. Open the page again and send the form once more." in html
    assert "CSRF verification failed" not in html  # not Django's page for developers


def test_the_503_pages_link_stays_on_the_site():
    request = RequestFactory().get("/x", {"y": 1})
    request.path = "//evil.example/x"  # what a server passes on for GET //evil.example/x
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert 'href="/evil.example/x?y=1"' in response.content.decode()
