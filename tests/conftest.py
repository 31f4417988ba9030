import datetime as dt
import warnings

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings

from emissions.facilities.models import Facility, Organisation
from tests import factories


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """MD5 instead of PBKDF2's 1.5 million iterations (about 0.5 s per password here).

    Hundreds of tests create a user with a password or log one in; with the production hasher
    that alone took minutes of the suite. No test is about the hash itself; production keeps
    Django's default hashers (kehui/settings.py does not name any).
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The manifest storage needs collectstatic first; tests serve static files as they are.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Nothing is collected in tests, so WhiteNoise has no STATIC_ROOT to index (and would warn).
    settings.STATIC_ROOT = None


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a folder of the test's own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def viewer(django_user_model):
    """A staff member who may read the dashboard pages but change nothing."""
    user = django_user_model.objects.create_user("viewer", password="viewer-pass-123")
    user.user_permissions.add(Permission.objects.get(codename="view_facility"))
    return user


@pytest.fixture
def outsider(django_user_model):
    """A logged-in user without any permission."""
    return django_user_model.objects.create_user("outsider", password="outsider-pass-123")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_setup, django_db_blocker):
    """Load the shipped factor library and activity types once, into the test database.

    A session of tests that need no database (e.g. tests/kehui/test_compose.py alone) gets
    no test database from pytest-django: then there is nothing to load, and nothing to check.
    """
    from pytest_django.fixtures import _get_databases_for_setup

    from emissions.activities.catalogue import load_activity_types
    from emissions.factors.loading import load_shipped_factors

    aliases, _serialized = _get_databases_for_setup(request.session.items)
    _last_test["database"] = bool(aliases)
    if not aliases:
        return
    with django_db_blocker.unblock():
        load_shipped_factors()
        load_activity_types()


def _session_data_missing() -> bool:
    from django.contrib.auth.models import Group

    from emissions.activities.models import ActivityType
    from emissions.factors.models import EmissionFactor

    return not (
        EmissionFactor.objects.exists() and ActivityType.objects.exists() and Group.objects.exists()
    )


def _load_session_data() -> None:
    """The factor library, the activity types and the role groups (a migration made them)."""
    from django.contrib.auth.models import Group, Permission

    from emissions.activities.catalogue import load_activity_types
    from emissions.factors.loading import load_shipped_factors
    from emissions.roles.sync import sync_roles

    load_shipped_factors()
    load_activity_types()
    sync_roles(Group, Permission)


_last_test: dict = {"id": None, "blocker": None, "database": True}


@pytest.fixture(autouse=True)
def library_present(request, django_db_setup, django_db_blocker):
    """Fail loudly, not hundreds of tests later, if the session's data went missing.

    pytest_runtest_teardown below loads it again after each test; if it is still missing when
    a test starts, the test before is named in a warning, and the data is loaded again (inside
    this test's transaction when the test has one, so for this test only).
    """
    if not _last_test["database"]:
        yield
        return
    _last_test["blocker"] = django_db_blocker
    with django_db_blocker.unblock():
        if _session_data_missing():
            warnings.warn(
                f"The factor library or role groups were missing after {_last_test['id']}: "
                "loaded again.",
                stacklevel=1,
            )
            _load_session_data()
    yield
    _last_test["id"] = request.node.nodeid


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Load the factor library, activity types and role groups again after a flush.

    A live-server or `transactional_db` test flushes the database when it ends, the session's
    factor library, activity types and the groups the roles migration made too; the next test
    in the same worker (pytest-xdist hands each worker an arbitrary mix of files, browser tests
    included) would find none. The flush is a fixture teardown of pytest-django's, run after any
    fixture of ours: only here, once every fixture of the test is torn down, is it over. Not
    after the session's last test, whose teardown drops the test database itself.
    """
    result = yield
    blocker = _last_test["blocker"]
    if nextitem is not None and blocker is not None:
        with blocker.unblock():
            if _session_data_missing():
                _load_session_data()
    return result


@pytest.fixture
def organisation(db):
    """The reporting organisation: AR5, MEE–NBS grid factors, base year 2019."""
    organisation = Organisation(name_en="Kehui test", base_year=2019, gwp_basis="AR5")
    organisation.save()
    return organisation


@pytest.fixture
def hebei_plant(db):
    return Facility.objects.create(
        code="XT-01",
        name_en="Xingtai main plant",
        kind="factory",
        province="CN-HE",
        grid_region="CN-North",
        opened_on=dt.date(2008, 1, 1),
    )


@pytest.fixture
def make_record(organisation):
    """`tests.factories.make_record`, with the organisation profile its calculation needs."""
    return factories.make_record


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Chinese leaves its language active; later tests assert English text."""
    yield
    from django.utils import translation

    translation.activate("en")
