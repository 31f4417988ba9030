"""Suppliers and products are entered here; requests and submissions are read here and acted on
through the suppliers page (sending mails, accepting data), so that every step goes through
services.py and its locks."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emissions.history_admin import HistoryAdmin
from emissions.import_admin import ImportAdminMixin

from .models import (
    DataRequest,
    Submission,
    SubmissionFile,
    SubmissionLine,
    Supplier,
    SupplierProduct,
)
from .resources import SupplierProductResource, SupplierResource


class SupplierProductInline(admin.TabularInline):
    model = SupplierProduct
    extra = 0
    fields = ["code", "name", "name_zh", "declared_unit", "spend_sector"]


@admin.register(Supplier)
class SupplierAdmin(ImportAdminMixin, HistoryAdmin):
    resource_classes = [SupplierResource]
    list_display = ["__str__", "credit_code", "category", "email", "language"]
    list_filter = ["category", "language"]
    search_fields = ["name", "name_zh", "credit_code", "email"]
    inlines = [SupplierProductInline]


@admin.register(SupplierProduct)
class SupplierProductAdmin(ImportAdminMixin, HistoryAdmin):
    resource_classes = [SupplierProductResource]
    list_display = ["code", "label", "supplier", "declared_unit", "spend_sector"]
    search_fields = ["code", "name", "name_zh", "supplier__name", "supplier__name_zh"]
    list_select_related = ["supplier"]

    @admin.display(description=_("name"))
    def label(self, product):
        return product.label


class ReadOnlyAdmin(HistoryAdmin):
    """Shown, never written here: the suppliers page acts through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = ["supplier", "year", "status", "created_at", "expires_at", "opened_at"]
    list_filter = ["status", "year"]
    list_select_related = ["supplier"]
    exclude = ["nonce"]


class SubmissionLineInline(admin.TabularInline):
    model = SubmissionLine
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SubmissionFileInline(SubmissionLineInline):
    model = SubmissionFile


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["request", "submitted_at", "status", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["request__supplier", "reviewed_by"]
    inlines = [SubmissionLineInline, SubmissionFileInline]
