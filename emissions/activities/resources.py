"""Import and export of activity records: each row is validated and calculated like the form."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from emissions.facilities.models import Facility
from emissions.facilities.resources import LookupWidget, ValidatedModelResource
from emissions.suppliers.models import SupplierProduct

from .models import RECORD_INPUT_FIELDS, ActivityRecord, ActivityType

INPUT_COLUMNS = RECORD_INPUT_FIELDS
# What the calculation wrote: exported for reading, never imported.
COMPUTED_COLUMNS = ["co2e_kg", "factor", "gwp_basis"]


class ActivityRecordResource(ValidatedModelResource):
    """New records from the input columns; the calculation (clean()) runs on every row."""

    facility = fields.Field(
        attribute="facility", column_name="facility", widget=LookupWidget(Facility, field="code")
    )
    activity_type = fields.Field(
        attribute="activity_type",
        column_name="activity_type",
        widget=LookupWidget(ActivityType, field="code"),
    )
    purchased_product = fields.Field(
        attribute="purchased_product",
        column_name="purchased_product",
        widget=LookupWidget(SupplierProduct, field="code"),
    )
    co2e_kg = fields.Field(attribute="co2e_kg", column_name="co2e_kg", readonly=True)
    factor = fields.Field(attribute="factor__key", column_name="factor", readonly=True)
    gwp_basis = fields.Field(attribute="gwp_basis", column_name="gwp_basis", readonly=True)

    class Meta:
        model = ActivityRecord
        # A row with an id (as exported) updates that record; a row without one adds a record.
        import_id_fields = ["id"]
        fields = ["id", *INPUT_COLUMNS, *COMPUTED_COLUMNS]
        export_order = fields
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if instance._state.adding and str(row.get("id") or "").strip():
            # Never a record with an id of the file's choosing.
            message = _("No activity record has id %(id)s; leave id empty to add a record.")
            errors.setdefault("id", []).append(ValidationError(message % {"id": row["id"]}))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # The form's wording, once: the validator's "greater than or equal to 0" repeats
            # what the calculation says as "Quantity cannot be negative."
            quantity = error.error_dict.get("quantity", [])
            if any(e.code != "min_value" for e in quantity):
                error.error_dict["quantity"] = [e for e in quantity if e.code != "min_value"]
            raise

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("facility", "activity_type", "factor", "purchased_product")
        )
