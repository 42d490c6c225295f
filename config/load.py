"""Reading a config file: TOML -> plain data -> a validated ``Config``, or every problem at once.

Two steps, on purpose. ``msgspec.toml.decode`` without a type only parses (a syntax error is
one problem, with its line). ``config.validate`` then walks the ``Config`` types field by field
and collects every type error, unknown or missing field and cross-field rule violation, each
at its dotted path, so one run of ``check-config`` lists everything to fix.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import msgspec

from config.schema import Config
from config.validate import INVALID, Problem, validate_struct


class ConfigError(Exception):
    """A config that cannot be used, with every problem found in it.

    ``problems`` is a list of ``(path, message)``; ``str()`` is one ``path: message`` line per
    problem, ready to print. ``path`` is a dotted field path (``symbols[3].strategy``), or the
    file name for problems with the file itself (unreadable, not TOML).
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(f"{path}: {message}" for path, message in self.problems)


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read, parse and validate the config file at ``path``; raise ``ConfigError``."""
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ConfigError([(source, f"cannot read config file: {exc.strerror or exc}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError([(source, f"not UTF-8 text (byte {exc.start})")]) from None
    return load_config_text(text, source=source)


def load_config_text(text: str, *, source: str = "<config>") -> Config:
    """Parse and validate config TOML given as text; ``source`` names it in syntax errors.
    Pure: reads no file and no environment."""
    try:
        raw = msgspec.toml.decode(text)
    except msgspec.ValidationError as exc:  # a DecodeError subclass: cannot happen untyped
        raise ConfigError([(source, _sentence(str(exc)))]) from None
    except msgspec.DecodeError as exc:
        raise ConfigError([(source, f"invalid TOML: {_sentence(str(exc))}")]) from None
    problems: list[Problem] = []
    config = validate_struct(raw, Config, "", problems)
    if problems or config is INVALID:
        raise ConfigError(problems or [(source, "invalid config")])
    return config


def _sentence(message: str) -> str:
    """msgspec capitalises its messages; ours are lower-case like the rest."""
    return message[:1].lower() + message[1:]
