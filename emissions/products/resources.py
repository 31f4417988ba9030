"""Import and export of products, monthly production and precursors in the admin, validated
like the forms (all-or-nothing: a file with one bad row writes nothing, and each bad row is
named with its message)."""

from django.utils.translation import gettext_lazy as _
from import_export import fields

from emissions.facilities.models import Facility
from emissions.facilities.resources import LookupWidget, ValidatedModelResource
from emissions.suppliers.models import SupplierProduct

from .models import Precursor, Process, Product, Production


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


class ProductResource(ValidatedModelResource):
    """Products by their code: a row for a code already entered updates that product."""

    class Meta:
        model = Product
        import_id_fields = ["code"]
        fields = [
            "code", "name_en", "name_zh", "cn_code", "cpc_code", "declared_unit",
            "mass_kg_per_unit",
        ]  # fmt: skip
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True


class PrecursorResource(ValidatedModelResource):
    """A precursor per facility, product, year and name; its supplier product by code."""

    facility = fields.Field(
        attribute="facility",
        column_name="facility",
        widget=LookupWidget(Facility, field="code"),
    )
    product = fields.Field(
        attribute="product", column_name="product", widget=LookupWidget(Product, field="code")
    )
    supplier_product = fields.Field(
        attribute="supplier_product",
        column_name="supplier_product",
        widget=LookupWidget(SupplierProduct, field="code"),
    )

    class Meta:
        model = Precursor
        import_id_fields = ["facility", "product", "year", "name"]
        fields = [
            "facility", "product", "year", "name", "quantity_t", "supplier_product",
            "default_kg_per_t", "default_source",
        ]  # fmt: skip
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
