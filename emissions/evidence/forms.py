"""The evidence upload form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import files


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file was sent. Check the form's encoding type."),
        },
        widget=forms.FileInput(
            attrs={"accept": ",".join([*files.EXTENSIONS, *files.CONTENT_TYPES])}
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. “State Grid bill, March 2024”."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        files.check(upload)
        return upload
