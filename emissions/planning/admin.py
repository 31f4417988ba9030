"""Expected data streams are set here by administrators: which facility reports which
activity type, how often, by which day, and who owes it."""

from django.contrib import admin

from emissions.history_admin import HistoryAdmin

from .models import ExpectedStream


@admin.register(ExpectedStream)
class ExpectedStreamAdmin(HistoryAdmin):
    list_display = [
        "facility", "activity_type", "frequency", "owner", "due_day", "starts_on", "ends_on",
    ]  # fmt: skip
    list_filter = ["frequency", "facility", "owner"]
    list_select_related = ["facility", "activity_type", "owner"]
    search_fields = [
        "facility__code",
        "facility__name_en",
        "activity_type__name",
        "owner__username",
    ]
