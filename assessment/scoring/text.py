"""``Text``: a text in both languages, the way the pure core carries Chinese and English (a gettext
catalogue would need Django).

A module of its own because both the framework's dataclasses (``spec.model``) and the formula
errors (``formula``) carry it, and ``spec`` imports ``formula``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Text", "is_english"]


def is_english(lang: str) -> bool:
    """Whether a language code (Django's ``get_language()``: "en", "en-us", "zh-hans") is English;
    anything else reads Chinese, the portal's default."""
    return lang.split("-")[0].lower() == "en"


@dataclass(frozen=True, slots=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if is_english(lang) else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}
