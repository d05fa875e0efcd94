"""Personal links: signed, scoped, revocable."""

import pytest

from cafe.tokens import (
    BadLink,
    LinkRevoked,
    keys_match,
    make_link_token,
    new_link_key,
    open_link,
    read_link_token,
)


def test_token_round_trip(app):
    key = new_link_key()
    token = make_link_token("invitation", 42, key)
    assert read_link_token("invitation", token) == (42, key)
    assert key not in token or len(token) > len(key)  # signed, not just the key


def test_token_for_one_scope_is_refused_in_another(app):
    token = make_link_token("invitation", 1, new_link_key())
    with pytest.raises(BadLink):
        read_link_token("author", token)


def test_tampered_token_is_refused(app):
    token = make_link_token("invitation", 1, new_link_key())
    with pytest.raises(BadLink):
        read_link_token("invitation", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))


def test_rotated_key_revokes_old_links(app):
    old = new_link_key()
    _, key_in_link = read_link_token("author", make_link_token("author", 5, old))
    assert keys_match(old, key_in_link)
    assert not keys_match(new_link_key(), key_in_link)
    assert not keys_match(None, key_in_link)


def test_keys_are_unguessable():
    keys = {new_link_key() for _ in range(1000)}
    assert len(keys) == 1000 and all(len(k) >= 22 for k in keys)


def test_open_link_gives_the_record_refuses_a_missing_one_and_a_replaced_key(app):
    records = {7: {"key": new_link_key()}}
    token = make_link_token("host", 7, records[7]["key"])

    def opened(t):
        return open_link("host", t, records.get, lambda r: r["key"])

    assert opened(token) is records[7]
    records[7]["key"] = new_link_key()  # the organiser replaced the link
    with pytest.raises(LinkRevoked):
        opened(token)
    with pytest.raises(BadLink):
        opened(make_link_token("host", 8, "whatever"))
