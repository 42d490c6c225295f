"""Checks of a config against the machine it will run on, beyond the file itself: does the
token file it names exist and can it be read? Kept apart from ``load`` so that a config can be
validated on any machine, and checked here by ``check-config`` and at start-up."""

from __future__ import annotations

from pathlib import Path

from config.schema import Config


def environment_problems(config: Config) -> list[str]:
    """``path: message`` lines, like the loader's. Never prints a secret, only where it lives."""
    if config.system.mode not in ("live", "dry-run"):
        return []
    problems: list[str] = []
    token_file = config.broker.kite.access_token_file
    if token_file is not None:
        path = Path(token_file)
        if not path.exists():
            problems.append(
                f"broker.kite.access_token_file: {path} does not exist "
                "(run `main.py login` to create it)"
            )
        else:
            try:
                path.read_text()  # read, not shown: only whether it can be read matters
            except OSError as exc:
                problems.append(
                    f"broker.kite.access_token_file: cannot read {path}: {exc.strerror}"
                )
    return problems
