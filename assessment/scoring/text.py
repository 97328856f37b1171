"""``Text``: a text in both languages, the way the pure core carries Chinese and English (a gettext
catalogue would need Django).

A module of its own because both the framework's dataclasses (``spec.model``) and the formula
errors (``formula``) carry it, and ``spec`` imports ``formula``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Text"]


@dataclass(frozen=True, slots=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}
