"""The users and groups admin: nobody grants more than they hold.

An Administrator (emissions/roles/definitions.py) manages users and groups, but is no
superuser. Without these checks Django's admin would let them tick "superuser status" on
anyone (themselves included), give a user or group every permission of every app, and change
a superuser's password. So, for anyone who is not a superuser:

- "superuser status" is read-only (a POSTed value is ignored);
- superusers are shown, never changed or deleted (nor their password);
- only permissions they hold themselves, and only groups whose permissions they all hold, are
  offered (another one POSTed is refused as an invalid choice); the ones a user or group
  already has beyond those stay as they are when it is saved.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Q, QuerySet


def grantable_permissions(user) -> QuerySet[Permission]:
    """The permissions `user` may give: all for a superuser, else those they hold."""
    if user.is_superuser:
        return Permission.objects.all()
    held = Q(pk__in=user.user_permissions.values("pk")) | Q(
        pk__in=Permission.objects.filter(group__user=user).values("pk")
    )
    return Permission.objects.filter(held)


def grantable_groups(user) -> QuerySet[Group]:
    """The groups `user` may give: those with no permission beyond what they hold."""
    if user.is_superuser:
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=grantable_permissions(user).values("pk"))
    return Group.objects.exclude(permissions__in=beyond)


class GrantLimitMixin:
    """Offers only grantable choices in `limited` m2m fields; keeps the ungrantable ones held."""

    limited: dict[str, object] = {}  # m2m field name → function(user) → grantable queryset

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        grantable = self.limited.get(db_field.name)
        if grantable is not None and not request.user.is_superuser:
            kwargs["queryset"] = grantable(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        kept = {}
        if change and not request.user.is_superuser:
            # Not offered, so not in the form: the form would otherwise remove them.
            for name, grantable in self.limited.items():
                held = getattr(form.instance, name).exclude(
                    pk__in=grantable(request.user).values("pk")
                )
                kept[name] = list(held)
        super().save_related(request, form, formsets, change)
        for name, objects in kept.items():
            getattr(form.instance, name).add(*objects)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class KehuiUserAdmin(GrantLimitMixin, UserAdmin):
    limited = {"user_permissions": grantable_permissions, "groups": grantable_groups}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "user_permissions":
            # As GroupAdmin does: each option's label names its content type.
            field.queryset = field.queryset.select_related("content_type")
        return field

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return [*readonly, "is_superuser"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class KehuiGroupAdmin(GrantLimitMixin, GroupAdmin):
    limited = {"permissions": grantable_permissions}
