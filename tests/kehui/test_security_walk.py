"""Walk every URL: a read-only user changes nothing, and no POST is accepted without a CSRF token.

Every route is either walked (the dashboard pages, the admin's add, change, delete, import and
revert views of each registered model) or listed below with the reason it is not. A route that
is neither fails the test, so a new page cannot slip past unwalked.
"""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import get_resolver, reverse

from emissions.activities.models import IntervalUpload
from emissions.dashboard.pages import cbam as cbam_page
from emissions.dashboard.pages import completeness as completeness_page
from emissions.dashboard.pages import energy as energy_page
from emissions.dashboard.pages import facilities as facilities_page
from emissions.dashboard.pages import forecast as forecast_page
from emissions.dashboard.pages import offsets as offsets_page
from emissions.dashboard.pages import overview as overview_page
from emissions.dashboard.pages import products as products_page
from emissions.dashboard.pages import scope2_hourly as scope2_hourly_page
from emissions.dashboard.pages import targets as targets_page
from emissions.jobs.models import ExportFile, Job
from emissions.neutrality.models import Restatement
from emissions.suppliers.models import DataRequest, Submission, SubmissionFile
from emissions.suppliers.services import token_for
from tests.kehui import security_objects
from tests.kehui.test_login_required import walk

ROUTES = sorted((name or "", route) for name, route in walk(get_resolver().url_patterns))
DASHBOARD_ROUTES = [(name, route) for name, route in ROUTES if name.startswith("dashboard:")]

# Routes outside the walk, each with its reason.
EXEMPT_ROUTES = {
    "login": "public by design; its brute-force protection is tested in test_login_lockout.py",
    "logout": "POST only logs the user out (Django's LogoutView); it writes no data",
    "set_language": "public language switch (Django's set_language): sets a cookie only",
    "favicon": "a redirect to a static file",
    "admin:index": "Django admin internal: the list of apps, read-only",
    "admin:app_list": "Django admin internal: one app's models, read-only",
    "admin:login": "Django admin internal: the login form (protected by django-axes too)",
    "admin:logout": "Django admin internal: logs out, writes no data",
    "admin:password_change": "Django admin internal: changing one's own password",
    "admin:password_change_done": "Django admin internal: a confirmation page",
    "admin:autocomplete": "Django admin internal: JSON search of objects the user may view",
    "admin:jsi18n": "Django admin internal: the JavaScript translation catalogue",
    "admin:view_on_site": "Django admin internal: a redirect to an object's page",
    "": "Django admin internals: the catch-all 404 and the old object URL redirecting to change",
}
# Per-model admin views that only read (the write views are walked below).
ADMIN_READ_ONLY_SUFFIXES = {
    "changelist": "the list; its POST (bulk actions) is walked separately",
    "history": "the list of versions, read-only",
    "export": "django-import-export export: needs the view permission only and writes nothing",
}
ADMIN_WRITE_SUFFIXES = ("add", "change", "delete", "import", "process_import", "simple_history")

# Which export tables each page's export route serves: the walk uses the first.
EXPORT_TABLES = {
    "dashboard:overview_export": overview_page.OVERVIEW,
    "dashboard:facility_list_export": facilities_page.FACILITY_LIST,
    "dashboard:facility_detail_export": facilities_page.FACILITY_DETAIL,
    "dashboard:offsets_export": offsets_page.OFFSETS,
    "dashboard:targets_export": targets_page.TARGETS,
    "dashboard:energy_export": energy_page.ENERGY,
    "dashboard:scope2_hourly_export": scope2_hourly_page.SCOPE2_HOURLY,
    "dashboard:products_export": products_page.PRODUCTS,
    "dashboard:cbam_export": cbam_page.CBAM,
    "dashboard:completeness_export": completeness_page.COMPLETENESS,
    "dashboard:completeness_mine_export": completeness_page.COMPLETENESS,
    "dashboard:forecast_export": forecast_page.FORECAST,
    "dashboard:forecast_compare_export": forecast_page.COMPARE,
}
# Which object an <int:pk> names, per route.
PK_OF = {
    "dashboard:record_detail": lambda objects: objects.record.pk,
    "dashboard:evidence_upload": lambda objects: objects.record.pk,
    "dashboard:evidence_download": lambda objects: objects.evidence.pk,
    "dashboard:evidence_delete": lambda objects: objects.evidence.pk,
    "dashboard:import_batch": lambda objects: objects.import_batch.pk,
    "dashboard:import_commit": lambda objects: objects.import_batch.pk,
    "dashboard:import_rollback": lambda objects: objects.import_batch.pk,
    "dashboard:import_approve": lambda objects: objects.import_batch.pk,
    "dashboard:import_reject": lambda objects: objects.import_batch.pk,
    "dashboard:record_submit": lambda objects: objects.record.pk,
    "dashboard:record_approve": lambda objects: objects.record.pk,
    "dashboard:record_reject": lambda objects: objects.record.pk,
    "dashboard:export_download": lambda objects: objects.by_model[ExportFile].pk,
    "dashboard:interval_upload": lambda objects: objects.by_model[IntervalUpload].pk,
    "dashboard:supplier_request": lambda objects: objects.by_model[DataRequest].pk,
    "dashboard:supplier_request_revoke": lambda objects: objects.by_model[DataRequest].pk,
    "dashboard:supplier_accept": lambda objects: objects.by_model[Submission].pk,
    "dashboard:supplier_return": lambda objects: objects.by_model[Submission].pk,
    "dashboard:supplier_file": lambda objects: objects.by_model[SubmissionFile].pk,
    **{
        name: lambda objects: objects.by_model[Restatement].pk
        for name in (
            "dashboard:restatement",
            "dashboard:restatement_apply",
            "dashboard:restatement_discard",
        )
    },
}
# Which object an <int:job_id> names (a failed job: the one kind that can be restarted).
JOB_OF = {
    name: lambda objects: objects.by_model[Job].pk
    for name in ("dashboard:job_restart", "dashboard:job", "dashboard:job_progress")
}
READ_APPS = [
    "facilities", "factors", "activities", "offsets", "neutrality", "evidence", "suppliers",
]  # fmt: skip
# Dashboard forms anyone with the link may post, logged in or not: left out of the read-only
# walk (a read-only user is no different from a supplier there), still walked for CSRF.
PUBLIC_FORMS = {
    "dashboard:supplier_link": (
        "the supplier's form behind its signed link: answering it is the point; its rules "
        "(one answer, rate limit, expiry, revocation) are tested in tests/suppliers"
    ),
}


def parameters(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def fill(name: str, route: str, objects) -> str:
    """The route's URL with each parameter taken from a real object; fails when it cannot."""
    kwargs = {}
    for parameter in parameters(route):
        if parameter == "code":
            kwargs[parameter] = objects.facility.code
        elif parameter == "product":
            kwargs[parameter] = "sec-product"  # security_objects._products
        elif parameter == "year":
            kwargs[parameter] = security_objects.YEAR
        elif parameter == "fmt":
            kwargs[parameter] = "csv"
        elif parameter == "table" and name in EXPORT_TABLES:
            kwargs[parameter] = next(iter(EXPORT_TABLES[name]))
        elif parameter == "pk" and name in PK_OF:
            kwargs[parameter] = PK_OF[name](objects)
        elif parameter == "job_id" and name in JOB_OF:
            kwargs[parameter] = JOB_OF[name](objects)
        elif parameter == "token" and name == "dashboard:supplier_link":
            kwargs[parameter] = token_for(objects.by_model[DataRequest])
        else:
            pytest.fail(f"{name} ({route}): no object to fill <{parameter}> with; add it here")
    return reverse(name, kwargs=kwargs)


def fingerprint() -> dict:
    """Every row of every table but the sessions: any write changes it."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models()
        if model is not Session
    }


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def objects(organisation, superuser):
    return security_objects.build(organisation, superuser)


@pytest.fixture
def viewer_user(django_user_model):
    """Staff (may open the admin) with only the view permissions of the domain apps."""
    user = django_user_model.objects.create_user(
        "read-only", password="read-only-pass-123", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=READ_APPS, codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def read_only_client(client, viewer_user):
    client.force_login(viewer_user)
    return client


@pytest.fixture
def admin_client_(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def allowed_methods(client, url: str) -> set[str]:
    """What the view accepts, from the Allow header of its 405 to a PUT (no view takes PUT)."""
    response = client.put(url)
    if response.status_code != 405:
        return {"GET", "HEAD", "POST", "PUT", "DELETE"}  # no method restriction at all
    return {method.strip() for method in response["Allow"].split(",")}


# --- the route list ---------------------------------------------------------------------


def admin_route_names() -> set[str]:
    names = set()
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        names.update(prefix + suffix for suffix in ADMIN_WRITE_SUFFIXES)
        names.update(prefix + suffix for suffix in ADMIN_READ_ONLY_SUFFIXES)
    names.add("admin:auth_user_password_change")
    return names


def test_every_route_is_walked_or_exempted_with_a_reason():
    admin_names = admin_route_names()
    unaccounted = [
        (name, route)
        for name, route in ROUTES
        if not name.startswith("dashboard:")
        and name not in EXEMPT_ROUTES
        and name not in admin_names
    ]
    assert unaccounted == []
    assert len(DASHBOARD_ROUTES) >= 20


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), DASHBOARD_ROUTES)
def test_every_dashboard_route_fills_from_real_objects(admin_client_, objects, name, route):
    url = fill(name, route, objects)
    response = admin_client_.get(url)
    # A page (200), a POST-only view refusing GET (405), the latest report year (302), never a
    # missing object.
    assert response.status_code in {200, 302, 405}, f"{name} {url}: {response.status_code}"
    if response.status_code == 302:
        assert admin_client_.get(response.url).status_code == 200, response.url


# --- (a) a read-only user writes nothing --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route"), [(n, r) for n, r in DASHBOARD_ROUTES if n not in PUBLIC_FORMS]
)
def test_a_read_only_user_cannot_post_put_or_delete_on_a_dashboard_url(
    read_only_client, admin_client_, objects, name, route
):
    url = fill(name, route, objects)
    accepted = allowed_methods(admin_client_, url)
    before = fingerprint()
    for method in ("post", "put", "delete"):
        response = getattr(read_only_client, method)(url)
        if method.upper() in accepted:
            assert response.status_code == 403, f"{method.upper()} {url}"
        else:
            assert response.status_code in {403, 405}, f"{method.upper()} {url}"
    assert fingerprint() == before


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(model, suffix: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{suffix}", args=args)


def instance_of(objects, model):
    instance = objects.by_model.get(model)
    if instance is None:
        pytest.fail(f"no {model._meta.label} among the test objects: add one to security_objects")
    return instance


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_a_read_only_user_gets_403_from_every_admin_write_view(read_only_client, objects, model):
    pk = instance_of(objects, model).pk
    model_admin = admin.site._registry[model]
    before = fingerprint()
    requests = [
        ("get", admin_url(model, "add"), {}),
        ("post", admin_url(model, "add"), {}),
        ("post", admin_url(model, "change", pk), {}),
        ("get", admin_url(model, "delete", pk), {}),
        ("post", admin_url(model, "delete", pk), {"post": "yes"}),
    ]
    if hasattr(model_admin, "import_action"):  # django-import-export needs the add permission
        requests += [
            ("get", admin_url(model, "import"), {}),
            ("post", admin_url(model, "import"), {}),
            ("post", admin_url(model, "process_import"), {}),
        ]
    if hasattr(model_admin, "history_form_view"):  # django-simple-history: revert a version
        version = model.history.filter(pk__isnull=False).order_by("history_id").first()
        assert version is not None, f"{model._meta.label} has no history to revert to"
        requests.append(("post", admin_url(model, "simple_history", pk, version.history_id), {}))
    if model._meta.label == "auth.User":
        requests.append(("post", admin_url(model, "password_change", pk), {}))
    for method, url, data in requests:
        response = getattr(read_only_client, method)(url, data)
        assert response.status_code == 403, f"{method.upper()} {url}: {response.status_code}"
    assert fingerprint() == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_no_admin_bulk_action_writes_for_a_read_only_user(read_only_client, objects, model):
    pk = instance_of(objects, model).pk
    model_admin = admin.site._registry[model]
    names = [action.name for action in model_admin._get_base_actions()]
    before = fingerprint()
    for name in names:
        response = read_only_client.post(
            admin_url(model, "changelist"),
            {"action": name, "_selected_action": [pk], "index": 0, "post": "yes"},
        )
        assert response.status_code in {200, 302, 403}, f"{name}: {response.status_code}"
    assert fingerprint() == before


# --- (b) CSRF -------------------------------------------------------------------------------


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), DASHBOARD_ROUTES)
def test_a_post_without_a_csrf_token_is_refused_and_writes_nothing(
    admin_client_, superuser, objects, name, route
):
    url = fill(name, route, objects)
    if "POST" not in allowed_methods(admin_client_, url):
        # Refused with 405 before any CSRF question arises (checked above for the read-only user).
        assert admin_client_.post(url).status_code == 405
        return
    client = csrf_client(superuser)  # may do anything: only the missing token can refuse it
    before = fingerprint()
    response = client.post(url, {"sha256": objects.import_batch.sha256})
    assert response.status_code == 403
    assert b"Your form could not be sent" in response.content  # the CSRF page, not permission
    assert fingerprint() == before

    # The same request with the token is not refused: it was the token that was missing.
    client.get(reverse("dashboard:ledger"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"sha256": objects.import_batch.sha256}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code != 403, f"{name}: refused even with the token"


def test_the_walk_covers_every_post_view_we_know():
    names = {name for name, _ in DASHBOARD_ROUTES}
    assert {
        "dashboard:evidence_upload",
        "dashboard:evidence_delete",
        "dashboard:import",
        "dashboard:import_commit",
        "dashboard:import_rollback",
    } <= names
