"""What build is running, for the ``shikra_build_info`` series: the version a dashboard shows
and an operator checks after a deploy."""

from __future__ import annotations

import platform
import tomllib
from pathlib import Path

_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def version(pyproject: Path = _PYPROJECT) -> str:
    """The version in ``pyproject.toml`` (the one place it is written), or ``unknown`` when the
    file is missing or has none: an installed copy without it must still start."""
    try:
        with pyproject.open("rb") as f:
            found = tomllib.load(f).get("project", {}).get("version")
    except (OSError, tomllib.TOMLDecodeError):
        return "unknown"
    return found if isinstance(found, str) else "unknown"


def build_labels(mode: str) -> dict[str, str]:
    return {"version": version(), "python": platform.python_version(), "mode": mode}
