"""check-config also names a token file that a live config points at but that is missing or
unreadable (without ever printing its contents)."""

from __future__ import annotations

from pathlib import Path

from tests.config.config_cases import changed, run_check_config


def _live(token_file: Path) -> str:
    return changed(
        ('mode = "paper"', 'mode = "live"'),
        ('source = "synthetic"', 'source = "kite"'),
        (
            'access_token_env = "KITE_ACCESS_TOKEN"',
            f'access_token_env = "KITE_ACCESS_TOKEN"\naccess_token_file = "{token_file}"',
        ),
    )


def test_a_missing_token_file_is_named(tmp_path: Path):
    config = tmp_path / "live.toml"
    config.write_text(_live(tmp_path / "nope"))
    result = run_check_config(config)
    assert result.returncode == 2
    assert result.stdout.startswith("broker.kite.access_token_file: ")
    assert str(tmp_path / "nope") in result.stdout and "does not exist" in result.stdout


def test_an_unreadable_token_file_is_named(tmp_path: Path):
    token = tmp_path / "access_token"
    token.mkdir()  # exists, but cannot be read as a file (whoever runs the test)
    config = tmp_path / "live.toml"
    config.write_text(_live(token))
    result = run_check_config(config)
    assert result.returncode == 2
    assert result.stdout.startswith(f"broker.kite.access_token_file: cannot read {token}")


def test_a_readable_token_file_passes_and_is_never_printed(tmp_path: Path):
    token = tmp_path / "access_token"
    token.write_text("secret-token")
    config = tmp_path / "live.toml"
    config.write_text(_live(token))
    result = run_check_config(config)
    assert (result.returncode, result.stdout.strip()) == (0, "ok")
