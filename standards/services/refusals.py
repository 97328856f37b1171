"""The refusals the standards services raise: one family for titles, stars, appraisals, terms and
secretary reports.

`Refused` carries a message for the user, in their language (`messages` as
django.core.exceptions.ValidationError has it, so a form can take it); `NotAllowed` is a user who
may see the object but not make the change (403); `StaleVersion` is a change based on an older
version, with the `current` one (409). Each service keeps its own names for them
(`TitleRefused`, `StarsRefused`, ...) as aliases.
"""

__all__ = ["NotAllowed", "Refused", "StaleVersion"]


class Refused(ValueError):
    """A change that cannot be made; `message` is for the user, in their language.

    `status` is how a page or the API answers it: 400, 403 for `NotAllowed`, 409 for a stale
    version."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def messages(self) -> list[str]:
        return [self.message]


class NotAllowed(Refused):
    """The user may see the object but not make this change."""

    status = 403


class StaleVersion(Refused):
    """A change based on an older version of the object; nothing was written."""

    status = 409

    def __init__(self, message: str, current: int) -> None:
        super().__init__(message)
        self.current = current
