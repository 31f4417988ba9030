"""Admin for evidence files: listed, described and deleted here; added on the record page."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from emissions.facilities.periods_admin import LockedYearAdminMixin
from emissions.history_admin import HistoryAdmin

from .models import EvidenceFile


@admin.register(EvidenceFile)
class EvidenceFileAdmin(LockedYearAdminMixin, HistoryAdmin):
    locked_year_field = "record__year"  # not deleted while its record's year is locked
    list_display = [
        "original_name",
        "record",
        "content_type",
        "file_size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["content_type", "uploaded_at"]
    search_fields = ["original_name", "description", "sha256", "record__facility__code"]
    # The record's name shows its facility and type.
    list_select_related = ["record__facility", "record__activity_type", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    # No link to the stored file: MEDIA_ROOT is not served, files go out through the
    # permission-checked download on the record page.
    fields = [
        "record",
        "original_name",
        "description",
        "content_type",
        "file_size",
        "sha256",
        "stored_as",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = [name for name in fields if name != "description"]

    @admin.display(description=_("size"), ordering="size")
    def file_size(self, evidence):
        return filesizeformat(evidence.size)

    @admin.display(description=_("stored as"))
    def stored_as(self, evidence):
        return evidence.file.name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_add_permission(self, request):
        # Uploads go through the record page, which checks each file's type and size.
        return False

    def revert_disabled(self, request, obj=None):
        # An old version may name a file that was deleted with a later one.
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
