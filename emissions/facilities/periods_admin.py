"""Admin pieces for locked reporting years: the mixin other apps' admins use, and the lock log."""

from dataclasses import replace
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponseRedirect
from django.urls import reverse

from emissions.history_admin import HistoryAdmin

from . import periods
from .models import ReportingYearLock


class LockedYearAdminMixin:
    """Refuses deleting, one by one or as a selection, what belongs to a locked year.

    The refusal is a message and a redirect: nothing is deleted and no deletion is logged.
    Adding and changing are refused by the model's or the service's own validation, which
    the admin form shows.
    """

    # Where the object's reporting year is, as a lookup ("year", "record__year").
    locked_year_field = "year"

    def assert_deletable(self, queryset: QuerySet) -> None:
        """Raise ValidationError when deleting these objects would change a locked year."""
        periods.assert_open(among=queryset.order_by().values(self.locked_year_field))

    def _refusal(self, queryset: QuerySet) -> str | None:
        try:
            self.assert_deletable(queryset)
        except ValidationError as error:
            return " ".join(error.messages)
        return None

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        selected = self.model._default_manager.filter(pk=obj.pk) if obj else None
        refusal = self._refusal(selected) if selected is not None else None
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            opts = self.model._meta
            url = reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[object_id],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        delete = actions.get("delete_selected")
        if delete is not None:
            actions["delete_selected"] = replace(delete, func=self._refusing_locked(delete.func))
        return actions

    @staticmethod
    def _refusing_locked(delete_selected):
        @wraps(delete_selected)
        def action(modeladmin, request, queryset):
            # Before the confirmation page, too: a selection that cannot go is not offered.
            refusal = modeladmin._refusal(queryset)
            if refusal:
                modeladmin.message_user(request, refusal, messages.ERROR)
                return None
            return delete_selected(modeladmin, request, queryset)

        return action


@admin.register(ReportingYearLock)
class ReportingYearLockAdmin(HistoryAdmin):
    """The lock log, read-only: years are locked and unlocked on the periods page."""

    list_display = ["year", "locked_at", "locked_by", "unlocked_at", "unlocked_by"]
    list_filter = ["year"]
    search_fields = ["note", "unlock_reason", "locked_by__username", "unlocked_by__username"]
    list_select_related = ["locked_by", "unlocked_by"]
    fields = [
        "year", "locked_at", "locked_by", "note", "unlocked_at", "unlocked_by", "unlock_reason",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True
