"""One way to turn a secret into what we store.

Tokens that are random and long (invitation links, API tokens) are stored as a plain SHA-256:
guessing them is hopeless, so no key is needed. Short or guessable values (4 digits of a phone,
who answered a survey on which day) are keyed with the server secret (HMAC), so a copy of the
database alone does not reveal them.
"""

from __future__ import annotations

import hashlib
import hmac


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(key: bytes, *parts: object) -> str:
    return hmac.new(key, "|".join(str(p) for p in parts).encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two hashes or signatures."""
    return hmac.compare_digest(a.encode(), b.encode())
