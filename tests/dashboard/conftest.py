"""Fixtures every dashboard page's tests may share; page-specific data stays in its test file."""

import pytest
from django.contrib.auth.models import Permission

READ_APPS = ["activities", "facilities", "factors", "offsets", "neutrality"]


@pytest.fixture
def staff_viewer(django_user_model):
    """A user who may read every dashboard page (all view_* permissions) but change nothing."""
    user = django_user_model.objects.create_user("staff-viewer", password="staff-viewer-pass-123")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=READ_APPS, codename__startswith="view_"
        )
    )
    return user


@pytest.fixture
def staff_client(client, staff_viewer):
    client.force_login(staff_viewer)
    return client
