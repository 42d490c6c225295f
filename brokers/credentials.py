"""Where Kite's secrets come from, read when needed and never shown.

The API key and the day's access token come from environment variables named in the config,
from a token file (written by ``main.py login``, mode 0600), or from systemd credentials
(``LoadCredential=`` puts files in ``$CREDENTIALS_DIRECTORY``). The token is re-read on every
request for it, so that after a ``main.py login`` the running daemon picks up the new token
without a restart. A ``Secret`` prints as ``Secret(****)``: a stray log line or exception
message cannot carry one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

CREDENTIAL_NAMES = {"api_key": "kite_api_key", "access_token": "kite_access_token"}
"""File names under ``$CREDENTIALS_DIRECTORY`` (systemd ``LoadCredential=``)."""
TOKEN_FILE = "access_token"
"""The day's access token as ``main.py login`` writes it, in the state directory."""


class MissingCredential(Exception):
    """A secret's source is empty or unreadable. The message names the source, never a value."""


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(****)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Credentials:
    api_key_env: str = "KITE_API_KEY"
    access_token_env: str = "KITE_ACCESS_TOKEN"
    access_token_file: Path | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def api_key(self) -> Secret:
        return self._read("api_key", self.api_key_env, None)

    def access_token(self) -> Secret:
        return self._read("access_token", self.access_token_env, self.access_token_file)

    def _read(self, what: str, env_name: str, path: Path | None) -> Secret:
        directory = self.environ.get("CREDENTIALS_DIRECTORY")
        if path is None and directory:
            candidate = Path(directory) / CREDENTIAL_NAMES[what]
            if candidate.exists():
                path = candidate
        if path is not None:
            try:
                value = path.read_text().strip()
            except FileNotFoundError:
                raise MissingCredential(f"the {what} file {path} does not exist") from None
            except OSError as exc:
                raise MissingCredential(
                    f"cannot read the {what} file {path}: {exc.strerror}"
                ) from None
            except UnicodeDecodeError:
                raise MissingCredential(f"the {what} file {path} is not text") from None
            if not value:
                raise MissingCredential(f"the {what} file {path} is empty")
            return Secret(value)
        value = self.environ.get(env_name, "").strip()
        if not value:
            raise MissingCredential(
                f"the {what} is not set: environment variable {env_name} is empty"
            )
        return Secret(value)
