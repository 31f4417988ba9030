"""Admin for activity types and records; a record's calculation is shown, never typed in."""

from dataclasses import replace
from functools import wraps

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from emissions.facilities.periods_admin import LockedYearAdminMixin
from emissions.factors.units import display_unit
from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin
from emissions.recalculation_notice import RecalculationNoticeMixin

from . import workflow
from .calculation import RecordCalculator
from .locking import assert_records_open
from .models import (
    HOURS,
    RECORD_INPUT_FIELDS,
    REOPENED_REVIEW,
    ActivityRecord,
    ActivityType,
    ImportBatch,
    IntervalUpload,
    MeterDay,
    RegionMatch,
    ReviewStatus,
    YearMatch,
)
from .resources import ActivityRecordResource
from .selectors import to_tonnes

INPUT_FIELDS = RECORD_INPUT_FIELDS


def submitted_message(count: int) -> str:
    return ngettext(
        "%(count)d record submitted for approval.",
        "%(count)d records submitted for approval.",
        count,
    ) % {"count": count}


def approved_message(count: int) -> str:
    return ngettext("%(count)d record approved.", "%(count)d records approved.", count) % {
        "count": count
    }


# Who submitted and reviewed the record (workflow.py): shown, never typed in. A change of the
# inputs, here or through the import and history pages, reopens the record (its save()).
REVIEW_FIELDS = list(REOPENED_REVIEW)
# Everything the calculation writes, in the model's order.
CALCULATED_FIELDS = [
    field.name
    for field in ActivityRecord._meta.concrete_fields
    if not field.editable and not field.primary_key and field.name not in REVIEW_FIELDS
]


@admin.register(ActivityType)
class ActivityTypeAdmin(RecalculationNoticeMixin, HistoryAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "scope",
        "method",
        "factor_group",
        "default_unit",
        "proxy_region",
    ]
    list_filter = ["scope", "category", "method"]
    search_fields = ["code", "name", "name_zh", "factor_group"]
    readonly_fields = ["scope"]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_zh", "category", "scope", "method"]}),
        (_("Factor choice"), {"fields": ["factor_group", "proxy_region", "gas", "default_unit"]}),
        (
            _("Fuel properties"),
            {"fields": ["density_kg_per_l", "ncv_gj_per_t", "ncv_gj_per_m3", "properties_source"]},
        ),
        (_("Electricity"), {"fields": ["is_electricity", "is_renewable_electricity"]}),
    ]


class ActivityRecordForm(forms.ModelForm):
    class Meta:
        model = ActivityRecord
        fields = INPUT_FIELDS
        # The model's own wording rather than "Ensure this value is greater than or equal to 0".
        error_messages = {"quantity": {"min_value": _("Quantity cannot be negative.")}}


def _refusing_approved(delete_selected):
    """The bulk delete action, refusing a selection with approved records in it."""

    @wraps(delete_selected)
    def action(modeladmin, request, queryset):
        # Before the confirmation page, too: such a selection is not offered for deletion.
        if queryset.filter(status=ReviewStatus.APPROVED).exists():
            message = gettext(
                "Approved records are not deleted in bulk: delete each one from its own page, "
                "saying why (approvers and administrators only)."
            )
            modeladmin.message_user(request, message, messages.ERROR)
            return None
        return delete_selected(modeladmin, request, queryset)

    return action


@admin.register(ActivityRecord)
# LockedYearAdminMixin: records of a locked reporting year are not deleted (the form's
# validation, ActivityRecord.clean, refuses adding and changing them).
class ActivityRecordAdmin(LockedYearAdminMixin, ImportAdminMixin, HistoryAdmin):
    resource_classes = [ActivityRecordResource]
    form = ActivityRecordForm

    class Media:
        css = {"all": ["css/admin.css"]}

    list_display = [
        "facility",
        "activity_type",
        "period_start",
        "period_end",
        "quantity_with_unit",
        "tco2e",
        "factor_link",
        "flags",
        "data_quality",
        "status",
    ]
    list_filter = [
        "status",
        "facility",
        "scope",
        "category",
        "year",
        "data_quality",
        "factor_year_match",
        "factor_region_match",
    ]
    search_fields = ["facility__code", "activity_type__name", "source_reference", "notes"]
    list_select_related = ["facility", "activity_type", "factor"]
    readonly_fields = [*REVIEW_FIELDS, *CALCULATED_FIELDS]
    date_hierarchy = "period_start"
    # Counting every row again for "N total" costs a full scan at a million records.
    show_full_result_count = False
    actions = ["recalculate_selected", "submit_selected", "approve_selected"]
    recalculate_limit = 2000

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": INPUT_FIELDS})]
        if obj is not None:
            fieldsets.append((_("Review"), {"fields": REVIEW_FIELDS}))
            fieldsets.append((_("Calculation"), {"fields": CALCULATED_FIELDS}))
        return fieldsets

    @admin.action(description=_("Submit selected records for approval"))
    def submit_selected(self, request, queryset):
        self._review_step(request, workflow.submit, queryset, submitted_message)

    @admin.action(description=_("Approve selected records"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._review_step(request, workflow.approve, queryset, approved_message)

    def has_approve_permission(self, request):
        return request.user.has_perm("activities.approve_activityrecord")

    # Deleting an approved record undoes an approver's decision: only someone who may approve
    # deletes it, one record at a time and saying why; the reason is kept as the history row's.
    delete_confirmation_template = "admin/activities/activityrecord/delete_confirmation.html"
    deletion_reason_field = "deletion_reason"

    def has_delete_permission(self, request, obj=None):
        approved = obj is not None and obj.status == ReviewStatus.APPROVED
        if approved and not self.has_approve_permission(request):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        record = self.get_object(request, unquote(object_id))
        # Only for someone who may delete records at all: anyone else gets the admin's 403.
        approved = (
            record is not None
            and record.status == ReviewStatus.APPROVED
            and super().has_delete_permission(request, record)
        )
        if approved and not self.has_approve_permission(request):
            message = gettext(
                "This record is approved: only an approver or an administrator may delete it."
            )
            self.message_user(request, message, messages.ERROR)
            url = reverse("admin:activities_activityrecord_change", args=[record.pk])
            return HttpResponseRedirect(url)
        if approved and request.method == "POST" and not self._deletion_reason(request):
            message = gettext(
                "Say why you delete this approved record: the reason is kept in its history."
            )
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        extra_context = {**(extra_context or {}), "asks_deletion_reason": approved}
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        reason = self._deletion_reason(request)
        if reason:
            obj._change_reason = reason  # simple-history writes it on the "deleted" row
        super().delete_model(request, obj)

    def _deletion_reason(self, request) -> str:
        # The history column holds 100 characters (the form's field says so too).
        return " ".join(request.POST.get(self.deletion_reason_field, "").split())[:100]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        delete = actions.get("delete_selected")
        if delete is not None:
            actions["delete_selected"] = replace(delete, func=_refusing_approved(delete.func))
        return actions

    def delete_queryset(self, request, queryset):
        # The action refuses approved records first; this holds should another path call it.
        if queryset.filter(status=ReviewStatus.APPROVED).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def _review_step(self, request, step, queryset, message) -> None:
        try:
            count = step(queryset, user=request.user)
        except workflow.ReviewRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        message = message(count)
        self.message_user(request, message, messages.SUCCESS)

    @admin.display(description=_("quantity"))
    def quantity_with_unit(self, record):
        return f"{number_format(record.quantity.normalize())} {display_unit(record.unit)}"

    @admin.display(description=_("t CO2e"), ordering="co2e_kg")
    def tco2e(self, record):
        return floatformat(to_tonnes(record.co2e_kg), 3)

    @admin.display(description=_("factor"), ordering="factor__key")
    def factor_link(self, record):
        if record.factor is None:
            return None
        url = reverse("admin:factors_emissionfactor_change", args=[record.factor_id])
        return format_html('<a href="{}">{}</a>', url, record.factor.key)

    @admin.display(description=_("flags"))
    def flags(self, record):
        labels = []
        if record.factor_year_match == YearMatch.LAGGED:
            labels.append(_("lagged"))
        elif record.factor_year_match == YearMatch.PROXY:
            labels.append(_("proxy year"))
        if record.factor_region_match == RegionMatch.PROXY:
            labels.append(_("proxy region"))
        return ", ".join(str(label) for label in labels) or None

    @admin.action(description=_("Recalculate selected records"), permissions=["change"])
    def recalculate_selected(self, request, queryset):
        try:
            assert_records_open(queryset)  # a locked reporting year is not recalculated
            calculator = RecordCalculator()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        # Row by row (see below) suits a page or a few; "select all" across a million rows
        # would outlast the request, and the set-based command exists for that.
        count = queryset.count()
        if count > self.recalculate_limit:
            message = gettext(
                "Select at most %(limit)d records to recalculate here (%(count)d selected); "
                "recalculate everything with “manage.py recalculate --reselect”."
            ) % {"limit": self.recalculate_limit, "count": count}
            self.message_user(request, message, messages.ERROR)
            return
        recalculated, failures = 0, []
        records = queryset.select_related("facility", "activity_type__gas")
        with transaction.atomic():
            for record in records:
                try:
                    # save() recalculates, so history and signals see an ordinary save.
                    record.save(calculator=calculator)
                except ValidationError as error:
                    failures.append(f"{record}: {' '.join(error.messages)}")
                else:
                    recalculated += 1
        if recalculated:
            message = ngettext(
                "Recalculated %(count)d record.", "Recalculated %(count)d records.", recalculated
            ) % {"count": recalculated}
            self.message_user(request, message, messages.SUCCESS)
        if failures:
            message = ngettext(
                "%(count)d record could not be recalculated and was left as it was: %(first)s",
                "%(count)d records could not be recalculated and were left as they were; "
                "the first: %(first)s",
                len(failures),
            ) % {"count": len(failures), "first": failures[0]}
            self.message_user(request, message, messages.ERROR)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """The import log, read-only: who uploaded which file, when, and what became of it.

    Imports are made and rolled back on the import page; the log itself is audit evidence,
    so it can be neither added to, edited nor deleted here.
    """

    list_display = ["file_name", "user", "created_at", "status", "row_count", "committed_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["file_name", "sha256", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = [
        "file_name", "sha256", "user", "created_at", "status", "row_count", "message",
        "committed_at", "rolled_back_at", "record_count",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        # The kept file can be as large as the upload limit: the log never loads it.
        return super().get_queryset(request).defer("content", "preview")

    @admin.display(description=_("records in the ledger"))
    def record_count(self, batch):
        return batch.records.count()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IntervalUpload)
class IntervalUploadAdmin(admin.ModelAdmin):
    """The interval upload log, read-only: uploads are made on the interval import page."""

    list_display = ["file_name", "user", "created_at", "row_count", "meter_count", "day_count"]
    list_filter = ["created_at"]
    search_fields = ["file_name", "sha256", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    fields = [
        "file_name", "sha256", "user", "created_at", "row_count", "meter_count", "day_count",
        "replaced_day_count", "incomplete_day_count",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MeterDay)
class MeterDayAdmin(HistoryAdmin):
    """Interval readings by meter and day, read-only with their history.

    Written only by the interval import, which checks the grid, the locked years and the
    replacement of stored days: a day typed in here would skip those rules.
    """

    list_display = ["facility", "meter", "day", "interval_minutes", "reading_count", "upload"]
    list_filter = ["interval_minutes", "facility"]
    search_fields = ["meter", "facility__code"]
    list_select_related = ["facility", "upload"]
    date_hierarchy = "day"
    readonly_fields = [
        "facility", "meter", "day", "interval_minutes", "reading_count", "upload", *HOURS,
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
