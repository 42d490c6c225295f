"""The parts of ``main.py login`` that need no Kite: reading what the user pastes, and writing
the token for its owner's eyes only."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from brokers.credentials import Secret
from daemon.login import request_token_from, write_token


@pytest.mark.parametrize(
    "pasted",
    [
        "abc123XYZ",
        "  abc123XYZ\n",
        "https://example.org/kite/callback?action=login&type=login&status=success"
        "&request_token=abc123XYZ",
    ],
)
def test_the_request_token_is_taken_from_a_token_or_the_redirect_url(pasted):
    assert request_token_from(pasted) == "abc123XYZ"


@pytest.mark.parametrize("pasted", ["", "not a token!", "https://example.org/?request_token="])
def test_anything_else_is_refused_with_a_reason(pasted):
    with pytest.raises(ValueError):
        request_token_from(pasted)


def test_the_token_file_is_written_whole_and_readable_by_its_owner_only(tmp_path: Path):
    path = tmp_path / "state" / "access_token"
    write_token(path, Secret("tok-1"))
    assert path.read_text() == "tok-1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_token(path, Secret("tok-2"))  # a new day's login replaces it
    assert path.read_text() == "tok-2\n"
    assert [p.name for p in path.parent.iterdir()] == ["access_token"]  # no temporary left
