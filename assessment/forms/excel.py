"""The form of the Excel upload: one filled-in workbook, its size checked before it is read."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy


class ExcelUploadForm(forms.Form):
    """One filled-in template; whether it is a single or a committee one is read from it."""

    file = forms.FileField(
        label=gettext_lazy("Workbook"),
        help_text=gettext_lazy("A template downloaded from this portal, saved as .xlsx."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # Checked before reading, so an oversized upload is never loaded into memory.
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is %(size)s; the largest accepted is %(limit)s."),
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
                },
                code="too_large",
            )
        return upload
