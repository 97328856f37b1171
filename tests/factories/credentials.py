"""API tokens for tests: `api_token(user)` gives the text a client sends as ``Token <text>``.

Rows are written directly (no audit entry), as a factory does: the tests that use it are about
the API they call, and their audit trails should hold only what those calls wrote.
"""

from datetime import timedelta

from django.utils import timezone

from credentials.models import ApiToken
from credentials.tokens import new_token


def api_token(user, *, days: int = 90, name: str = "tests") -> str:
    issued = new_token()
    ApiToken.objects.create(
        user=user,
        name=name,
        prefix=issued.prefix,
        digest=issued.digest,
        expires=timezone.now() + timedelta(days=days),
    )
    return issued.plain
