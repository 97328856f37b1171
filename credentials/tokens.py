"""The shape of an API token: how one is made, hashed and recognised.

A token is ``pb_`` and 43 URL-safe characters (32 random bytes). The database keeps the SHA-256
of the whole token, so a copy of the database authenticates nobody, and its first characters,
which say nothing of the rest. Tokens of DRF's former authtoken table (40 hex characters) were
converted by hashing them the same way (migration 0002), so they keep working until they expire.
"""

import hashlib
import secrets
from dataclasses import dataclass

MARK = "pb_"
PREFIX_LENGTH = len(MARK) + 8


@dataclass(frozen=True)
class NewToken:
    """A token as issued: the plain text (shown once) and what is stored of it."""

    plain: str
    prefix: str
    digest: str


def digest_of(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def prefix_of(plain: str) -> str:
    return plain[:PREFIX_LENGTH] if plain.startswith(MARK) else plain[:8]


def new_token() -> NewToken:
    plain = MARK + secrets.token_urlsafe(32)
    return NewToken(plain=plain, prefix=prefix_of(plain), digest=digest_of(plain))
