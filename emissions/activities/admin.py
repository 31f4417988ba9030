"""Admin for activity types and records; a record's calculation is shown, never typed in."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from emissions.facilities.periods_admin import LockedYearAdminMixin
from emissions.history_admin import HistoryAdmin

from . import workflow
from .calculation import RecordCalculator
from .locking import assert_records_open
from .models import (
    RECORD_INPUT_FIELDS,
    REOPENED_REVIEW,
    ActivityRecord,
    ActivityType,
    ImportBatch,
    RegionMatch,
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
class ActivityTypeAdmin(HistoryAdmin):
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
            {"fields": ["density_kg_per_l", "ncv_gj_per_t", "properties_source"]},
        ),
        (_("Electricity"), {"fields": ["is_electricity", "is_renewable_electricity"]}),
    ]


class ActivityRecordForm(forms.ModelForm):
    class Meta:
        model = ActivityRecord
        fields = INPUT_FIELDS
        # The model's own wording rather than "Ensure this value is greater than or equal to 0".
        error_messages = {"quantity": {"min_value": _("Quantity cannot be negative.")}}


@admin.register(ActivityRecord)
# LockedYearAdminMixin: records of a locked reporting year are not deleted (the form's
# validation, ActivityRecord.clean, refuses adding and changing them).
class ActivityRecordAdmin(LockedYearAdminMixin, ImportExportMixin, HistoryAdmin):
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
        return f"{number_format(record.quantity.normalize())} {record.unit}"

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
        # The kept file can be 20 MB: the log never loads it.
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
