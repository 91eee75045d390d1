"""Passwords are stored as Argon2id hashes and checked in constant time."""

import pytest

from ecoute.auth.passwords import WeakPassword, hash_password, verify_password


def test_a_password_is_stored_as_an_argon2id_hash_that_verifies():
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored
    assert verify_password(stored, "correct horse battery") is True
    assert verify_password(stored, "Correct horse battery") is False


def test_the_same_password_hashes_differently_each_time():
    assert hash_password("correct horse battery") != hash_password("correct horse battery")


def test_missing_or_corrupt_hashes_never_verify():
    assert verify_password(None, "anything at all") is False
    assert verify_password("not-a-hash", "anything at all") is False


def test_short_passwords_are_refused():
    with pytest.raises(WeakPassword):
        hash_password("short")
