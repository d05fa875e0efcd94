"""Personal links: unguessable, signed, scoped to one purpose and one record, and revocable.

A link token carries a record id and that record's random link key, signed with the app's secret
and a salt naming the scope ("rsvp", "author", ...). A token for one scope is worthless in
another; changing the record's key revokes every link made before.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

Record = TypeVar("Record")


class BadLink(Exception):
    """The link is malformed, forged, meant for something else, or revoked."""


class LinkRevoked(Exception):
    """A genuine link whose record's key has since been replaced (revoked or reissued)."""


def new_link_key() -> str:
    """A fresh random key (128 bits) for a record's personal links."""
    return secrets.token_urlsafe(16)


def _serializer(scope: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"cafe-link:{scope}")


def make_link_token(scope: str, record_id: int, link_key: str) -> str:
    """The token to put in a personal link."""
    return _serializer(scope).dumps([record_id, link_key])


def read_link_token(scope: str, token: str) -> tuple[int, str]:
    """(record id, link key) from a token; raises BadLink if it was not made by us for `scope`."""
    try:
        value = _serializer(scope).loads(token)
    except BadSignature:
        raise BadLink("This link is not valid") from None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or not isinstance(value[1], str)):
        raise BadLink("This link is not valid")
    return value[0], value[1]


def keys_match(expected: str | None, given: str) -> bool:
    """Constant-time comparison of a record's current key with the one in a link."""
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def open_link(scope: str, token: str, load: Callable[[int], Record | None],
              key_of: Callable[[Record], str | None]) -> Record:
    """The record a personal link opens: BadLink if the token is not ours for `scope` or its
    record is gone, LinkRevoked if the record's key has been replaced since."""
    record_id, key = read_link_token(scope, token)
    record = load(record_id)
    if record is None:
        raise BadLink("This link is not valid")
    if not keys_match(key_of(record), key):
        raise LinkRevoked()
    return record
