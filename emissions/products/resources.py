"""Import and export of monthly production in the admin, validated like the form (all-or-nothing:
a file with one bad row writes nothing, and each bad row is named with its message)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields

from emissions.facilities.resources import LookupWidget, ValidatedModelResource

from .models import Process, Product, Production


class ProductionResource(ValidatedModelResource):
    """One row per facility, product and month: a row for a month already entered updates it."""

    process = fields.Field(
        attribute="process",
        column_name="facility",
        widget=LookupWidget(Process, field="facility__code", label=_("facility code")),
    )
    product = fields.Field(
        attribute="product", column_name="product", widget=LookupWidget(Product, field="code")
    )

    class Meta:
        model = Production
        import_id_fields = ["process", "product", "year", "month"]
        fields = ["process", "product", "year", "month", "quantity", "machine_hours", "value_cny"]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
