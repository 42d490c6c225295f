"""shikra's command line: ``check-config`` validates a config file; ``run`` starts the daemon.

Imports are deferred into each command so that ``check-config`` stays fast and never loads
the actor runtime (pykka) or the broker client (kiteconnect): it is meant for editors, CI and
``ExecStartPre=`` lines.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
"""Bad arguments or a bad config: the same code argparse uses, and systemd's "invalid args"."""


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: ``sys.argv[1:]``), run the command, return its exit code."""
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shikra",
        description="A supervised-actor trading daemon for Zerodha Kite Connect.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check-config",
        help="validate a config file and list every problem in it",
        description="Print 'ok' and exit 0 if FILE is a valid config; otherwise print one "
        "'path: message' line per problem and exit 2.",
    )
    check.add_argument("file", metavar="FILE", help="the TOML config file")
    check.set_defaults(handler=_check_config)

    run = commands.add_parser("run", help="run the daemon")
    run.add_argument(
        "--config",
        metavar="FILE",
        default=None,
        help="the TOML config file (default: the embedded paper config, config/paper.toml)",
    )
    run.add_argument(
        "--duration",
        metavar="SECONDS",
        type=_positive_seconds,
        default=None,
        help="stop cleanly after this many seconds (default: run until stopped)",
    )
    run.set_defaults(handler=_run)

    login = commands.add_parser(
        "login",
        help="exchange a Kite login for the day's access token",
        description="Print the Kite login URL, take the request_token (or the whole redirect "
        "URL), exchange it using the API secret from the environment, and write the access "
        "token to the state directory (mode 0600), or print it with --print.",
    )
    login.add_argument("request", nargs="?", metavar="REQUEST_TOKEN_OR_URL", default=None)
    login.add_argument("--config", metavar="FILE", default=None)
    login.add_argument(
        "--print",
        dest="print_token",
        action="store_true",
        help="print the token (for systemd-creds) instead of writing the file",
    )
    login.set_defaults(handler=_login)

    backtest = commands.add_parser(
        "backtest",
        help="run the strategies on recorded data, deterministically, and report",
        description="Run the config's actors on the --data files (tick replays or candle "
        "files, merged by market time) on a virtual clock in market time, all on one thread "
        "in a fixed order, in a fresh state dir under OUT; at the end of the data print the "
        "results table and write summary.json, trades.csv and report.html under OUT. Exit 0, "
        "or 2 for bad input.",
    )
    backtest.add_argument("--config", metavar="FILE", default=None)
    backtest.add_argument(
        "--data",
        metavar="PATH",
        action="append",
        required=True,
        help="a tick or candle file, or a directory of them (its *.csv files, by name, as "
        "main.py history writes them); as often as needed",
    )
    backtest.add_argument("--out", metavar="DIR", required=True)
    backtest.set_defaults(handler=_backtest)

    history = commands.add_parser(
        "history",
        help="fetch the configured symbols' candles from Kite's historical API",
        description="Write one candle file per configured symbol (feeds/CANDLE_FORMAT.md) "
        "under OUT, from Kite's historical API (a token from main.py login), within Kite's "
        "span per request and its 3 requests a second. A replay or a backtest reads them.",
    )
    history.add_argument("--config", metavar="FILE", default=None)
    history.add_argument("--from", dest="first", metavar="DATE", type=_date, required=True)
    history.add_argument("--to", dest="last", metavar="DATE", type=_date, required=True)
    history.add_argument("--out", metavar="DIR", required=True)
    history.add_argument(
        "--interval", default="minute", help="Kite's candle interval (default: minute)"
    )
    history.set_defaults(handler=_history)

    for command, text in (
        ("status", "show trading state, actors, positions, PnL, open orders, feed age"),
        ("halt", "stop new orders now (cancels still go); survives a restart"),
        ("reduce", "only orders that shrink exposure (close, never open); survives a restart"),
        ("resume", "return to ACTIVE trading"),
        ("flatten", "cancel open orders and close every position, then stay halted"),
    ):
        operator = commands.add_parser(command, help=text, description=text)
        operator.add_argument("--config", metavar="FILE", default=None)
        if command != "status":
            operator.add_argument("--reason", default="", help="recorded with the change")
        operator.set_defaults(handler=_operator, operator_command=command)
    return parser


def _check_config(args: argparse.Namespace) -> int:
    from config import ConfigError, load_config
    from config.calendars import calendar_problems
    from config.environment import environment_problems
    from daemon.clock import WallClock

    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(exc)
        return EXIT_USAGE
    problems = environment_problems(config)
    if problems:
        print("\n".join(f"{path}: {message}" for path, message in problems))
        return EXIT_USAGE
    for warning in calendar_problems(config, WallClock()):
        print(f"warning: {warning}")
    print("ok")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from config import DEFAULT_CONFIG_PATH
    from daemon.run import run

    return run(str(args.config or DEFAULT_CONFIG_PATH), args.duration)


def _login(args: argparse.Namespace) -> int:
    from daemon.login import login

    config = _load_config(args)
    if config is None:
        return EXIT_USAGE
    return login(config, args.request, print_token=args.print_token)


def _backtest(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from config import DEFAULT_CONFIG_PATH
    from daemon.backtest import backtest

    if os.environ.get("PYTHONHASHSEED") != "0":
        # String hashing decides the order a set of names iterates in: fixed, so that a
        # backtest runs the same way every time (daemon.backtest).
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    return backtest(str(args.config or DEFAULT_CONFIG_PATH), args.data, Path(args.out))


def _history(args: argparse.Namespace) -> int:
    from pathlib import Path

    from daemon.history import history

    config = _load_config(args)
    if config is None:
        return EXIT_USAGE
    return history(config, args.first, args.last, Path(args.out), args.interval)


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _operator(args: argparse.Namespace) -> int:
    from pathlib import Path

    from daemon.control_wire import SOCKET_NAME, request
    from daemon.status import show

    config = _load_config(args)
    if config is None:
        return EXIT_USAGE
    path = Path(config.system.state_dir) / SOCKET_NAME
    try:
        reply = request(path, args.operator_command, getattr(args, "reason", ""))
    except OSError as exc:
        print(f"{args.operator_command}: no daemon answering at {path} ({exc.strerror or exc})",
              file=sys.stderr)  # fmt: skip
        return 1
    print(show(reply.status) if reply.status is not None else reply.text)
    return 0 if reply.ok else 1


def _load_config(args: argparse.Namespace) -> Any:
    """The config ``--config`` names (the embedded paper one without it); None, with every
    problem printed, when it cannot be used."""
    from config import DEFAULT_CONFIG_PATH, ConfigError, load_config

    try:
        return load_config(str(args.config or DEFAULT_CONFIG_PATH))
    except ConfigError as exc:
        print(exc)
        return None


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
