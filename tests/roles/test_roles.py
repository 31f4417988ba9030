"""The four roles: groups made by a migration, kept in sync by a command, enforced per view."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from emissions.roles import definitions
from emissions.roles.sync import UnknownPermission, sync_roles

pytestmark = pytest.mark.django_db

ROLE_NAMES = ["Viewer", "Data editor", "Approver", "Administrator"]


def perms(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_the_migration_creates_the_four_groups_with_their_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_NAMES)
    viewer = perms("Viewer")
    assert "activities.view_activityrecord" in viewer
    assert not any(name.split(".")[1].startswith(("add_", "change_", "delete_")) for name in viewer)
    editor = perms("Data editor")
    assert {"activities.add_activityrecord", "offsets.add_creditbatch"} <= editor
    assert "activities.approve_activityrecord" not in editor
    assert "offsets.add_retirement" not in editor  # retiring credits is an approver's decision
    approver = perms("Approver")
    assert {
        "activities.approve_activityrecord", "offsets.add_retirement",
        "facilities.lock_reporting_year",
    } <= approver  # fmt: skip
    assert "activities.change_activityrecord" not in approver
    assert "facilities.unlock_reporting_year" not in approver
    admin = perms("Administrator")
    assert {
        "facilities.unlock_reporting_year",
        "auth.add_user",
        "factors.change_emissionfactor",
    } <= (admin)


def test_sync_roles_puts_a_hand_edited_group_back(capsys):
    viewer = Group.objects.get(name="Viewer")
    viewer.permissions.add(Permission.objects.get(codename="delete_activityrecord"))
    with pytest.raises(CommandError, match="differ from their definitions"):
        call_command("sync_roles", "--check")
    assert "activities.delete_activityrecord" in perms("Viewer")  # --check changes nothing
    call_command("sync_roles")
    assert "- activities.delete_activityrecord" in capsys.readouterr().out
    assert "activities.delete_activityrecord" not in perms("Viewer")
    call_command("sync_roles", "--check")


def test_sync_roles_recreates_a_deleted_group():
    Group.objects.filter(name="Approver").delete()
    call_command("sync_roles")
    assert "activities.approve_activityrecord" in perms("Approver")


def test_a_role_naming_a_permission_that_does_not_exist_is_refused(monkeypatch):
    monkeypatch.setitem(definitions.ROLES, "Viewer", {"activities.fly_activityrecord"})
    with pytest.raises(UnknownPermission, match="activities.fly_activityrecord"):
        sync_roles(Group, Permission)


# Each role × each page and action: allowed, or 403.


@pytest.fixture
def people(django_user_model):
    users = {}
    for role in ROLE_NAMES:
        user = django_user_model.objects.create_user(role.lower().replace(" ", "-"), password="x")
        user.groups.add(Group.objects.get(name=role))
        users[role] = user
    return users


@pytest.fixture
def record(make_record, hebei_plant):
    return make_record(hebei_plant, "grid_electricity", "1000", "kWh")


PAGES = ["/", "/facilities/", "/facilities/XT-01/", "/ledger/", "/offsets/", "/targets/"]


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("path", PAGES)
def test_every_role_reads_every_page(client, people, record, role, path):
    client.force_login(people[role])
    assert client.get(path).status_code == 200


# (what, method, url name, args from the record) → the roles allowed; the others get 403.
ACTIONS = [
    ("import page", "get", "dashboard:import", False, {"Data editor", "Administrator"}),
    ("submit a record", "post", "dashboard:record_submit", True, {"Data editor", "Administrator"}),
    ("approve a record", "post", "dashboard:record_approve", True, {"Approver", "Administrator"}),
    ("reject a record", "post", "dashboard:record_reject", True, {"Approver", "Administrator"}),
    ("read a record in the admin", "get", "admin:activities_activityrecord_change", True,
     set(ROLE_NAMES)),
    ("change a record in the admin", "post", "admin:activities_activityrecord_change", True,
     {"Data editor", "Administrator"}),
    ("add a factor in the admin", "get", "admin:factors_emissionfactor_add", False,
     {"Administrator"}),
    ("add a user in the admin", "get", "admin:auth_user_add", False, {"Administrator"}),
    ("add a retirement in the admin", "get", "admin:offsets_retirement_add", False,
     {"Approver", "Administrator"}),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize(
    ("what", "method", "name", "with_record", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_each_role_may_do_what_its_role_says_and_gets_403_otherwise(
    client, people, record, role, what, method, name, with_record, allowed
):
    user = people[role]
    user.is_staff = True  # admin access is the staff flag; the role decides what is in it
    user.save()
    client.force_login(user)
    url = reverse(name, args=[record.pk] if with_record else [])
    response = getattr(client, method)(url, {"reason": "checked"} if method == "post" else None)
    if role in allowed:
        assert response.status_code in (200, 302), (what, role, response.status_code)
    else:
        assert response.status_code == 403, (what, role, response.status_code)
