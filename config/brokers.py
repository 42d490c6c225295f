"""Where orders go: the paper simulator, or Kite's REST API (credentials by reference only)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

import msgspec

from config.base import NonEmptyStr, NonNegativeFloat, PositiveFloat, PositiveFraction, Section
from config.validate import Problem

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PaperBrokerConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The simulated broker: how orders fill against the tick stream.

    ``fill_model``: at the last traded price, the mid, or crossing the bid/ask spread.
    ``slippage_bps`` worsens every fill; ``partial_fill_ratio`` is the share of an order each
    fill takes (1.0 fills at once); ``latency_ms`` delays acknowledgements and fills.
    ``venue_file`` is where the simulated venue keeps its books (orders, trades, ids, its
    trading day), apart from the journal: a file name inside ``system.state_dir``, like
    ``system.journal``.
    """

    fill_model: Literal["ltp", "mid", "bid_ask"] = "ltp"
    slippage_bps: NonNegativeFloat = 0.0
    partial_fill_ratio: PositiveFraction = 1.0
    latency_ms: NonNegativeFloat = 0.0
    venue_file: NonEmptyStr = "paper_venue.sqlite"

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        name = values.get("venue_file")
        if name is not None and (Path(name).name != name or name in (".", "..")):
            return [("venue_file", f"must be a file name inside state_dir, got {name!r}")]
        return []


class KiteBrokerConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Kite Connect endpoints and where the credentials come from.

    The file names *sources* of secrets (environment variables, a token file written by the
    login flow or systemd's ``LoadCredential=``), never the secrets: a config file gets copied,
    committed and pasted into chats (DESIGN rule 10). Whether the sources are set is checked at
    start-up, not here, so the file can be checked on any machine.
    """

    SECRET_FIELDS: ClassVar[dict[str, str]] = {
        "api_key": "set the environment variable named by api_key_env",
        "api_secret": "set the environment variable named by api_secret_env",
        "access_token": "set the environment variable named by access_token_env, "
        "or use access_token_file",
    }

    api_root: str = "https://api.kite.trade"
    ws_root: str = "wss://ws.kite.trade"
    timeout_seconds: PositiveFloat = 7.0
    """Per REST call. A placement that times out has an unknown outcome (looked up, not retried)."""
    api_key_env: str = "KITE_API_KEY"
    access_token_env: str = "KITE_ACCESS_TOKEN"
    api_secret_env: str = "KITE_API_SECRET"
    """Only the login flow needs the secret; trading needs the key and the day's token."""
    access_token_file: NonEmptyStr | None = None
    """A file holding the day's access token; read instead of ``access_token_env`` when set."""

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        problems: list[Problem] = []
        for name, schemes in (("api_root", ("https", "http")), ("ws_root", ("wss", "ws"))):
            url = values.get(name)
            if url is not None and (
                urlsplit(url).scheme not in schemes or not urlsplit(url).netloc
            ):
                problems.append((name, f"expected a {schemes[0]}:// URL, got {url!r}"))
        for name in ("api_key_env", "access_token_env", "api_secret_env"):
            env_name = values.get(name)
            # The value is deliberately not echoed: a pasted secret may be what is wrong here.
            if env_name and not _ENV_NAME.match(env_name):
                message = "must be the name of an environment variable (letters, digits, _)"
                problems.append((name, message))
        return problems


class BrokerConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Both brokers' settings; ``system.mode`` picks which one is used."""

    SECRET_FIELDS: ClassVar[dict[str, str]] = {
        key: "set the environment variable named by broker.kite." + key + "_env"
        for key in ("api_key", "api_secret", "access_token")
    }

    paper: PaperBrokerConfig = msgspec.field(default_factory=PaperBrokerConfig)
    kite: KiteBrokerConfig = msgspec.field(default_factory=KiteBrokerConfig)
