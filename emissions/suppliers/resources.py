"""Import and export of suppliers and their products in the admin, validated like the forms."""

from import_export import fields

from emissions.facilities.resources import LookupWidget, ValidatedModelResource

from .models import Supplier, SupplierProduct


class SupplierResource(ValidatedModelResource):
    """A row with an id updates that supplier; without one it adds a supplier."""

    class Meta:
        model = Supplier
        fields = [
            "id", "name", "name_zh", "credit_code", "category", "contact_name", "email",
            "language", "notes",
        ]  # fmt: skip
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True


class SupplierProductResource(ValidatedModelResource):
    """Products by their code; the supplier by its unified social credit code."""

    supplier = fields.Field(
        attribute="supplier",
        column_name="supplier_credit_code",
        widget=LookupWidget(Supplier, field="credit_code"),
    )

    class Meta:
        model = SupplierProduct
        import_id_fields = ["code"]
        fields = ["code", "supplier", "name", "name_zh", "declared_unit", "spend_sector"]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True
