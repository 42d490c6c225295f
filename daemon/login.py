"""``main.py login``: turn a Kite login into the day's access token, written where the daemon
reads it.

Kite's login is a browser round trip: open the login URL for the API key, log in, and Kite
redirects to the app's redirect URL with a ``request_token``. That token, with the API secret,
buys the access token, valid until early next morning (IST). This command prints the URL, takes
the request token (or the whole redirect URL, pasted), exchanges it, and writes the access token
to ``<state_dir>/access_token`` with mode 0600 (or prints it, for ``systemd-creds``). No secret
is ever logged; errors name what to do, never a value.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from brokers.credentials import TOKEN_FILE, Credentials, MissingCredential, Secret
from config import Config
from daemon.state_dir import restrict_umask


def request_token_from(text: str) -> str:
    """The request token from a bare token or a pasted redirect URL."""
    text = text.strip()
    if "request_token=" in text:
        values = parse_qs(urlsplit(text).query).get("request_token", [])
        if not values or not values[0]:
            raise ValueError("the URL has no request_token value")
        return values[0]
    if not text or not text.isalnum():
        raise ValueError("expected a request token (letters and digits) or the redirect URL")
    return text


def token_path(config: Config) -> Path:
    kite = config.broker.kite
    if kite.access_token_file:
        return Path(kite.access_token_file)
    return Path(config.system.state_dir) / TOKEN_FILE


def write_token(path: Path, token: Secret) -> None:
    """Write the token readable by its owner only, atomically: a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, (token.reveal() + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def login(config: Config, request: str | None, *, print_token: bool) -> int:
    from kiteconnect import KiteConnect
    from kiteconnect import exceptions as kite

    restrict_umask()  # a state directory made here is private, as `run` makes it

    kite_config = config.broker.kite
    credentials = Credentials(api_key_env=kite_config.api_key_env)
    try:
        api_key = credentials.api_key()
    except MissingCredential as exc:
        print(f"login: {exc}", file=sys.stderr)
        return 2
    client = KiteConnect(
        api_key.reveal(), root=kite_config.api_root, timeout=kite_config.timeout_seconds
    )
    if request is None:
        print("Open this URL, log in, and paste the URL you are redirected to:")
        print(client.login_url())
        request = input("redirect URL or request_token: ")
    try:
        request_token = request_token_from(request)
    except ValueError as exc:
        print(f"login: {exc}", file=sys.stderr)
        return 2
    secret = os.environ.get(kite_config.api_secret_env, "").strip()
    if not secret:
        print(
            f"login: the API secret is not set: environment variable "
            f"{kite_config.api_secret_env} is empty",
            file=sys.stderr,
        )
        return 2
    try:
        session = client.generate_session(request_token, api_secret=secret)
    except kite.TokenException:
        print(
            "login: Kite refused the request token (used, expired or for another key): "
            "log in again",
            file=sys.stderr,
        )
        return 1
    except Exception as exc:  # report the kind of failure, never a value
        print(f"login: the token exchange failed: {type(exc).__name__}", file=sys.stderr)
        return 1
    token = Secret(str(session["access_token"]))
    if print_token:
        print(token.reveal())
        return 0
    path = token_path(config)
    write_token(path, token)
    print(f"access token written to {path} (mode 0600); the daemon picks it up on its next call")
    return 0
