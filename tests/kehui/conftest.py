"""Fixtures the security tests share; a test module may define its own of the same name."""

import pytest
from django.test import Client

from tests.kehui import security_objects


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


@pytest.fixture
def objects(organisation, superuser):
    """One object of every kind the routes take (security_objects.build)."""
    return security_objects.build(organisation, superuser)


@pytest.fixture
def root_client(superuser):
    # A view's exception becomes its 500 response: a walk lists every one, not the first.
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    return client
