"""Import and export of credit batches: each new batch is added by the service, under its rules."""

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from emissions.facilities.resources import ValidatedModelResource

from . import services
from .models import CreditBatch, CreditProject, CreditStandard

BATCH_COLUMNS = [
    "id",
    "project",
    "vintage_year",
    "quantity_t",
    "serial_first",
    "serial_last",
    "purchased_on",
    "price_per_t",
    "currency",
]
# What add_credit_batch takes.
SERVICE_ARGUMENTS = BATCH_COLUMNS[1:]


class CreditProjectWidget(widgets.ForeignKeyWidget):
    """A project as "standard/registry_project_id" (ccer/CCER-14-001), or by its id alone."""

    def __init__(self, **kwargs):
        super().__init__(CreditProject, **kwargs)

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            return None
        standard, _sep, project_id = value.partition("/")
        if project_id and standard in CreditStandard.values:
            lookup = {"standard": standard, "registry_project_id": project_id}
        else:
            lookup = {"registry_project_id": value}
        try:
            return CreditProject.objects.get(**lookup)
        except ObjectDoesNotExist:
            raise ValueError(_("No credit project “%(value)s”.") % {"value": value}) from None
        except MultipleObjectsReturned:
            raise ValueError(
                _(
                    "Several registries have a project “%(value)s”; write it as "
                    "standard/id, e.g. ccer/%(value)s."
                )
                % {"value": value}
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{value.standard}/{value.registry_project_id}"


class CreditBatchResource(ValidatedModelResource):
    """New batches only, each through add_credit_batch; existing batches are never changed."""

    project = fields.Field(attribute="project", column_name="project", widget=CreditProjectWidget())

    class Meta:
        model = CreditBatch
        import_id_fields = ["id"]
        fields = BATCH_COLUMNS
        export_order = BATCH_COLUMNS
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = False

    def import_instance(self, instance, row, **kwargs):
        row_id = str(row.get("id") or "").strip()
        if not instance._state.adding:
            raise ValidationError(
                {
                    "id": _(
                        "Batch %(batch)s already exists; an import only adds batches "
                        "(leave id empty for a new one)."
                    )
                    % {"batch": instance}
                }
            )
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if row_id:
            message = _("No credit batch has id %(id)s; leave id empty to add a batch.")
            errors.setdefault("id", []).append(ValidationError(message % {"id": row_id}))
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if instance._state.adding:
            # A new batch is validated by the service, with its words, when it is saved.
            if import_validation_errors:
                raise ValidationError(import_validation_errors)
            return
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:  # refused in import_instance; never reached
            raise ValidationError(_("An import does not change existing batches."))
        self.before_save_instance(instance, row, **kwargs)
        if self._is_using_transactions(kwargs) or not self._is_dry_run(kwargs):
            batch = services.add_credit_batch(
                **{name: getattr(instance, name) for name in SERVICE_ARGUMENTS}
            )
            instance.pk = batch.pk
            instance._state.adding = False
            instance._state.db = batch._state.db
        self.after_save_instance(instance, row, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("project")
