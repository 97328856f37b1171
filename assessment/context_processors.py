"""Template context of the assessment app shared by every page: the unread notices badge."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors.queues import unread_notice_count


def unread_notices(request: HttpRequest) -> dict:
    """`unread_notices`: how many notices the user has not read.

    Lazy: the count query runs only on a page whose template shows it, and at most once there.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0}
    return {"unread_notices": SimpleLazyObject(lambda: unread_notice_count(user))}
