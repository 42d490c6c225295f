"""Secrets come from their named sources, are re-read when asked, and never show."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokers.credentials import Credentials, MissingCredential, Secret


def test_from_the_environment_and_never_printed():
    creds = Credentials(environ={"KITE_API_KEY": "key123", "KITE_ACCESS_TOKEN": "tok456"})
    key, token = creds.api_key(), creds.access_token()
    assert (key.reveal(), token.reveal()) == ("key123", "tok456")
    for text in (repr(key), str(token), f"{token}", repr([key, token])):
        assert "key123" not in text and "tok456" not in text


def test_a_token_file_wins_and_is_re_read_after_a_new_login(tmp_path: Path):
    path = tmp_path / "access_token"
    path.write_text("first\n")
    creds = Credentials(access_token_file=path, environ={"KITE_ACCESS_TOKEN": "env"})
    assert creds.access_token() == Secret("first")
    path.write_text("second\n")
    assert creds.access_token() == Secret("second")


def test_systemd_credentials_directory(tmp_path: Path):
    (tmp_path / "kite_api_key").write_text("from-systemd")
    creds = Credentials(environ={"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert creds.api_key().reveal() == "from-systemd"


def test_missing_sources_are_named_without_values(tmp_path: Path):
    with pytest.raises(MissingCredential, match="KITE_ACCESS_TOKEN is empty"):
        Credentials(environ={}).access_token()
    missing = tmp_path / "nope"
    with pytest.raises(MissingCredential, match=f"the access_token file {missing} does not exist"):
        Credentials(access_token_file=missing, environ={}).access_token()
    with pytest.raises(MissingCredential, match=f"cannot read the access_token file {tmp_path}"):
        Credentials(access_token_file=tmp_path, environ={}).access_token()  # a directory
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(MissingCredential, match=f"the access_token file {binary} is not text"):
        Credentials(access_token_file=binary, environ={}).access_token()
