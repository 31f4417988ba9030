"""The admin's import (django-import-export) with the import page's safeguards.

Every admin with an import uses `ImportAdminMixin` instead of `ImportExportMixin`:
- the upload stops at the import page's size limit, with the same message;
- an XLSX file passes the bomb guard before openpyxl reads it, and a file of more rows than
  the admin imports within a request is refused, naming both counts; an export of more rows
  than it writes within a request is refused likewise;
- the confirmation step only reads a temp file this server stored (see
  import_tmp_storage), and says so when the name is unknown instead of failing;
- the temp file is removed after the confirmation, after a failure and after a preview
  that cannot be confirmed.
"""

import functools

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from emissions import import_tmp_storage, xlsx_guard
from emissions.uploads import limit_upload_size


def _upload_limit() -> int:
    # Imported when called: this module is loaded by the admins of apps the activities app
    # depends on, so it must not import activities at load time.
    from emissions.activities import imports

    return imports.MAX_UPLOAD_BYTES


def _too_large_message() -> str:
    from emissions.activities import imports

    return _("The file is larger than %(limit)s. Split it into smaller files.") % {
        "limit": imports.MAX_UPLOAD_LABEL
    }


# django-import-export validates, calculates and renders each row of its preview one by one:
# about 36 ms a row on the 2-core host under load (2,000 activity records took 73 s, past
# gunicorn's 60 s timeout), and the confirmation does it all again. 1,000 rows stay well within
# it; the import page takes 10 MB (about 150,000 rows) of activity data.
MAX_ROWS = 1_000


# The admin's export builds the whole file in the request too: about 0.6 ms a row under load
# (3,000 activity records in 1.8 s as XLSX, 1.5 s as CSV), so 50,000 rows take about 30 s.
# The ledger's CSV download streams any number of records.
MAX_EXPORT_ROWS = 50_000


class TooManyRows(Exception):
    def __init__(self, count: int):
        self.message = _(
            "The admin import takes at most %(limit)s rows at a time and this file has "
            "%(count)s: split it, or import activity data on the Import page."
        ) % {"limit": f"{MAX_ROWS:,}", "count": f"{count:,}"}
        super().__init__(self.message)


@functools.cache
def _row_capped(format_class):
    """The format, refusing a file of more rows than the admin can import within a request."""

    class RowCapped(format_class):
        def create_dataset(self, in_stream):
            if isinstance(self, base_formats.XLSX):
                # Before openpyxl reads anything: a 500 KB file may unpack to gigabytes.
                xlsx_guard.check_workbook(in_stream)
            dataset = super().create_dataset(in_stream)
            if dataset.height > MAX_ROWS:
                raise TooManyRows(dataset.height)
            return dataset

    RowCapped.__name__ = RowCapped.__qualname__ = format_class.__name__
    return RowCapped


class ImportAdminMixin(ImportExportMixin):
    tmp_storage_class = import_tmp_storage.SignedTempFolderStorage

    def get_urls(self):
        app_label, model_name = self.get_model_info()
        import_name = f"{app_label}_{model_name}_import"
        process_name = f"{app_label}_{model_name}_process_import"
        replaced = {import_name, process_name}
        urls = [url for url in super().get_urls() if getattr(url, "name", None) not in replaced]
        # limit_upload_size installs its handler before the CSRF check reads the body, so the
        # views are marked csrf_exempt for admin_view and checked inside.
        limited = limit_upload_size(_upload_limit)
        return [
            path(
                "process_import/",
                self.admin_site.admin_view(limited(self.process_import)),
                name=process_name,
            ),
            path(
                "import/",
                self.admin_site.admin_view(limited(self.import_action)),
                name=import_name,
            ),
            *urls,
        ]

    def get_import_formats(self):
        return [_row_capped(format_class) for format_class in super().get_import_formats()]

    def import_action(self, request, **kwargs):
        refused = request.method == "POST" and request.upload_limit_exceeded()
        request.import_refused_message = _too_large_message() if refused else None
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if "confirm_form" not in context:
            # Nothing can confirm this preview: its temp file is of no further use.
            _remove_stored_upload(self, request)
        if refused:
            response.status_code = 400
        return response

    def create_import_form(self, request):
        form = super().create_import_form(request)
        message = getattr(request, "import_refused_message", None)
        if message:
            # The handler stopped the file at the limit: "this field is required" would be wrong.
            form.is_valid()
            form.errors["import_file"] = form.error_class([message])
        return form

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # A ValueError is shown by export_action as a message above the export form.
        if queryset.order_by().values("pk")[MAX_EXPORT_ROWS : MAX_EXPORT_ROWS + 1].exists():
            raise ValueError(
                _(
                    "The admin exports at most %(limit)s rows at a time and this list has more: "
                    "filter it first, or download activity records as CSV from the ledger."
                )
                % {"limit": f"{MAX_EXPORT_ROWS:,}"}
            )
        return super()._do_file_export(file_format, request, queryset, export_form=export_form)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, xlsx_guard.WorkbookRefused | TooManyRows):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def process_import(self, request, **kwargs):
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)  # 405 or 403, as before
        name = request.POST.get("import_file_name")
        if request.upload_limit_exceeded() or not import_tmp_storage.is_stored(name):
            return self._upload_again(request)
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        try:
            if not _format_index_valid(request.POST.get("format"), len(self.get_import_formats())):
                return self._upload_again(request)
            return super().process_import(request, **kwargs)
        finally:
            # Whatever happened, the file was used once: confirming it again must not work.
            storage.remove()

    def _upload_again(self, request):
        messages.error(
            request,
            _(
                "The file to import is unknown or was already imported or abandoned. "
                "Upload the file again."
            ),
        )
        app_label, model_name = self.get_model_info()
        return HttpResponseRedirect(
            reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
        )


def _format_index_valid(value, count: int) -> bool:
    return str(value or "").isdigit() and int(value) < count


def _remove_stored_upload(admin, request) -> None:
    # The uploaded file object, not the form's cleaned_data: a read error removes the file
    # from cleaned_data, and that is when the temp file most needs removing.
    name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
    if name:
        admin.get_tmp_storage_class()(name=name, **admin.get_tmp_storage_class_kwargs()).remove()
