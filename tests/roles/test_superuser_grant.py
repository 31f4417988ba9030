"""Only a superuser makes superusers: an Administrator manages users and groups, but grants
nothing beyond what they hold (emissions/roles/admin.py)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils.html import escape

pytestmark = pytest.mark.django_db

# Not among an Administrator's permissions (only the apps of ADMINISTRATOR_APPS are).
SESSIONS = "delete_session"


@pytest.fixture
def administrator(django_user_model):
    user = django_user_model.objects.create_user("administrator", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Administrator"))
    return user


@pytest.fixture
def administrator_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password="x")
    user.groups.add(Group.objects.get(name="Data editor"))
    return user


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-pass-123")


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def user_post(user, **fields):
    """The user change form as it would be sent back unchanged, with `fields` instead."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [permission.pk for permission in user.user_permissions.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def test_an_administrator_sees_superuser_status_read_only(administrator_client, editor):
    html = administrator_client.get(change_url(editor)).content.decode()

    assert 'name="is_staff"' in html
    assert 'name="is_superuser"' not in html


@pytest.mark.parametrize("whom", ["another user", "themselves"])
def test_an_administrator_posting_superuser_status_makes_nobody_a_superuser(
    administrator_client, administrator, editor, whom
):
    user = editor if whom == "another user" else administrator

    response = administrator_client.post(change_url(user), user_post(user, is_superuser="on"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_superuser


def test_an_administrator_may_not_change_or_delete_a_superuser(administrator_client, root):
    page = administrator_client.get(change_url(root))
    assert page.status_code == 200  # shown, read-only
    assert 'name="_save"' not in page.content.decode()

    changed = administrator_client.post(change_url(root), user_post(root, is_superuser=None))
    password = administrator_client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "taken-over-123", "password2": "taken-over-123"},
    )
    deleted = administrator_client.post(
        reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}
    )

    assert (changed.status_code, password.status_code, deleted.status_code) == (403, 403, 403)
    root.refresh_from_db()
    assert root.is_superuser
    assert root.check_password("root-pass-123")


def test_an_administrator_cannot_grant_a_permission_they_do_not_hold(administrator_client, editor):
    beyond = Permission.objects.get(codename=SESSIONS)
    html = administrator_client.get(change_url(editor)).content.decode()
    assert escape(str(Permission.objects.get(codename="view_session"))) not in html
    assert escape(str(Permission.objects.get(codename="view_user"))) in html  # one they hold

    response = administrator_client.post(
        change_url(editor), user_post(editor, user_permissions=[beyond.pk])
    )

    assert response.status_code == 200  # the form again, with the message
    assert f"Select a valid choice. {beyond.pk} is not one of the available choices." in (
        response.content.decode()
    )
    assert not editor.user_permissions.exists()


def test_an_administrator_cannot_give_a_group_holding_more_than_they_do(
    administrator_client, editor
):
    everything = Group.objects.create(name="Everything")
    everything.permissions.set(Permission.objects.all())

    response = administrator_client.post(
        change_url(editor), user_post(editor, groups=[everything.pk])
    )

    assert response.status_code == 200
    assert not editor.groups.filter(name="Everything").exists()


def test_an_administrator_cannot_add_a_permission_they_do_not_hold_to_a_group(
    administrator_client,
):
    beyond = Permission.objects.get(codename=SESSIONS)
    viewer = Group.objects.get(name="Viewer")
    url = reverse("admin:auth_group_change", args=[viewer.pk])
    held = list(viewer.permissions.values_list("pk", flat=True))

    response = administrator_client.post(url, {"name": "Viewer", "permissions": [*held, beyond.pk]})

    assert response.status_code == 200
    assert not viewer.permissions.filter(pk=beyond.pk).exists()


def test_an_administrator_editing_a_user_keeps_what_a_superuser_granted_beyond_them(
    administrator_client, editor
):
    beyond = Permission.objects.get(codename=SESSIONS)
    editor.user_permissions.add(beyond)

    response = administrator_client.post(
        change_url(editor), user_post(editor, first_name="Li", user_permissions=[])
    )

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.first_name == "Li"
    assert list(editor.user_permissions.all()) == [beyond]


def test_an_administrator_may_still_make_a_user_staff_and_an_administrator(
    administrator_client, editor
):
    administrators = Group.objects.get(name="Administrator")

    response = administrator_client.post(
        change_url(editor), user_post(editor, is_staff="on", groups=[administrators.pk])
    )

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_staff
    assert list(editor.groups.all()) == [administrators]


def test_a_superuser_may_make_a_superuser(client, root, editor):
    client.force_login(root)

    response = client.post(change_url(editor), user_post(editor, is_superuser="on"))

    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.is_superuser
