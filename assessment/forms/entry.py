"""Forms of the submission page: the values typed per indicator, decisions and evidence uploads.

The entry form is generated from the framework: one input per indicator (five for an appraisal),
named after the indicator's code, so ``v-C1.01`` carries indicator C1.01, ``na-C1.01`` marks it
not applicable, ``r-C1.01`` is a reviewer's reason and ``o-C1.01`` the secretary's reason for
overriding the value of an indicator counted from records. The form only gathers what was typed;
`validation.clean_value` (inside the save service) decides what is a valid value.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..scoring import spec as engine
from ..scoring.values import is_not_applicable
from ..selectors.entry import TypedInput
from ..validation import APPRAISAL_KEYS, TEXT_MAX

REASON_MAX = 2000


def value_name(code: str) -> str:
    return f"v-{code}"


def na_name(code: str) -> str:
    return f"na-{code}"


def reason_name(code: str) -> str:
    return f"r-{code}"


def override_name(code: str) -> str:
    return f"o-{code}"


class EntryForm:
    """The values posted from the submission page for a list of indicators.

    Only indicators whose inputs were posted count, so a partial post changes only those.
    """

    def __init__(
        self, indicators: Iterable[engine.Indicator], data: Mapping[str, Any], *, reviewed=False
    ) -> None:
        self.indicators = [
            i for i in indicators if i.kind != "formula" and (i.assessed or not reviewed)
        ]
        self.data = data
        self.reviewed = reviewed

    @property
    def version(self) -> int | None:
        """The version the user started from; None when missing or garbled."""
        try:
            version = int(str(self.data.get("version", "")).strip())
        except ValueError:
            return None
        return version if 0 < version < 2**31 else None

    def _posted(self, code: str, value_type: str) -> bool:
        names = [value_name(code), na_name(code)]
        if value_type == "appraisal":
            names += [f"{value_name(code)}-{key}" for key in APPRAISAL_KEYS]
        return any(name in self.data for name in names)

    def typed(self) -> dict[str, TypedInput]:
        """Each posted indicator's input, as typed."""
        out: dict[str, TypedInput] = {}
        for indicator in self.indicators:
            code = indicator.code
            if not self._posted(code, indicator.value_type):
                continue
            text = str(self.data.get(value_name(code), ""))[: TEXT_MAX * 2]
            entry = TypedInput(
                text=text,
                na=bool(self.data.get(na_name(code))) or is_not_applicable(text),
                reason=str(self.data.get(reason_name(code), "")).strip()[:REASON_MAX],
                override_reason=str(self.data.get(override_name(code), "")).strip()[:REASON_MAX],
            )
            if indicator.value_type == "appraisal":
                entry.votes = {
                    key: str(self.data.get(f"{value_name(code)}-{key}", ""))[:20]
                    for key in APPRAISAL_KEYS
                }
            out[code] = entry
        return out

    def raw_values(self) -> dict[str, Any]:
        """What the save service receives: code → text, votes, "n/a" or None."""
        by_code = {i.code: i for i in self.indicators}
        return {code: t.raw(by_code[code].value_type) for code, t in self.typed().items()}

    def reasons(self) -> dict[str, str]:
        return {code: t.reason for code, t in self.typed().items() if t.reason}

    def overrides(self) -> dict[str, str]:
        """Reasons for overriding counted values, by the code of each counted indicator posted."""
        counted = {i.code for i in self.indicators if i.source is not None}
        return {code: t.override_reason for code, t in self.typed().items() if code in counted}


class ReasonForm(forms.Form):
    """Why a submission is returned or reopened: required."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": _("Give a reason.")},
    )


class CommentForm(forms.Form):
    """An optional comment on an approval."""

    comment = forms.CharField(
        label=_("Comment"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class EvidenceForm(forms.Form):
    """One file for one indicator; what the file is, is checked by the evidence service."""

    indicator = forms.CharField(max_length=40)
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )
