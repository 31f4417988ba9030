"""Make the role groups hold exactly the permissions `definitions.ROLES` gives them."""

from dataclasses import dataclass, field

from .definitions import ADMINISTRATOR_APPS, ROLES


class UnknownPermission(Exception):
    pass


@dataclass
class RoleChange:
    role: str
    created: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.added or self.removed)


def sync_roles(
    group_model, permission_model, *, dry_run: bool = False, skip_unknown: bool = False
) -> list[RoleChange]:
    """Create or correct each role's group; the models are passed in so a migration can run it.

    Raises UnknownPermission, naming it, when a role lists a permission that does not exist;
    with `skip_unknown` (an early migration, before the models that are to come) leaves it out.
    """
    permissions = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in permission_model.objects.select_related("content_type")
    }
    changes = []
    for role, wanted_names in ROLES.items():
        if wanted_names is None:
            wanted = {name for name in permissions if name.split(".")[0] in ADMINISTRATOR_APPS}
        else:
            missing = sorted(wanted_names - set(permissions))
            if missing and skip_unknown:
                wanted_names = wanted_names - set(missing)
            elif missing:
                raise UnknownPermission(
                    f"The role {role} lists permissions that do not exist: {', '.join(missing)}"
                )
            wanted = set(wanted_names)
        group = group_model.objects.filter(name=role).first()
        change = RoleChange(role, created=group is None)
        if group is None and not dry_run:
            group = group_model.objects.create(name=role)
        have = (
            set()
            if group is None or group.pk is None
            else {
                f"{p.content_type.app_label}.{p.codename}"
                for p in group.permissions.select_related("content_type")
            }
        )
        change.added = sorted(wanted - have)
        change.removed = sorted(have - wanted)
        if not dry_run and (change.added or change.removed):
            group.permissions.set([permissions[name] for name in wanted])
        changes.append(change)
    return changes
