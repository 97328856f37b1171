"""Forms of the organizations app."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import ImportBatch


class ImportForm(forms.Form):
    """Choose what the file holds and upload it; the preview comes before anything is saved."""

    kind = forms.ChoiceField(
        label=_("The file holds"),
        # The other kinds are the records app's imports (payroll and study files).
        choices=[c for c in ImportBatch.Kind.choices if c[0] in ("organizations", "people")],
        initial=ImportBatch.Kind.ORGANIZATIONS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv file (UTF-8 or GBK, as Excel saves it) or an .xlsx workbook."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        # Checked before reading, so an oversized upload is never loaded into memory.
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest accepted is %(limit)s."),
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
                },
                code="too_large",
            )
        return upload
