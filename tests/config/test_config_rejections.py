"""Bad config files are refused by ``main.py check-config`` with exit code 2 and the exact
dotted path of the mistake. Each case is the known-good minimal config with one change, and
must produce exactly one problem: the one it names."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_cases import changed, run_check_config

LIVE_ON_KITE = (('mode = "paper"', 'mode = "live"'), ('source = "synthetic"', 'source = "kite"'))
DRY_RUN_ON_KITE = (
    ('mode = "paper"', 'mode = "dry-run"'),
    ('source = "synthetic"', 'source = "kite"'),
)
INFY_BLOCK = '[[symbols]]\nsymbol = "NSE:INFY"\nstrategy = "ema_cross"\n'
INFY_BLOCK += "params = { fast = 9, slow = 21 }\nquantity = 7\n\n"
TCS_BLOCK = '[[symbols]]\nsymbol = "NSE:TCS"\nstrategy = "rsi_reversion"\nquantity = 5\n'
NO_SYMBOLS = ((INFY_BLOCK, ""), (TCS_BLOCK, ""))


def rule(*lines: str) -> str:
    """A ``[[faults.rules]]`` entry, appended after the file's ``[faults]`` table."""
    return "\n[[faults.rules]]\n" + "\n".join(lines) + "\n"


def case(case_id: str, toml: str, path: str, fragment: str) -> object:
    return pytest.param(toml, path, fragment, id=case_id)


CASES = [
    # --- type errors, bad values, unknown and missing fields
    case(
        "int_given_str",
        changed(("max_daily_loss = 5000", 'max_daily_loss = "5000"')),
        "risk.max_daily_loss",
        "expected int, got str",
    ),
    case(
        "zero_limit",
        changed(("max_order_quantity = 100", "max_order_quantity = 0")),
        "risk.max_order_quantity",
        "must be > 0, got 0",
    ),
    case(
        "negative_money_limit",
        changed(("max_drawdown = 7500", "max_drawdown = -1")),
        "risk.max_drawdown",
        "must be > 0, got -1",
    ),
    case(
        "unknown_field",
        changed(('mode = "paper"', 'mode = "paper"\nbogus = 1')),
        "system.bogus",
        "unknown field",
    ),
    case(
        "misspelt_field",
        changed(("interval_seconds = 1.0", "interval_second = 1.0")),
        "heartbeat.interval_second",
        "unknown field (did you mean 'interval_seconds'?)",
    ),
    case(
        "missing_required_field",
        changed(("max_drawdown = 7500\n", "")),
        "risk.max_drawdown",
        "missing required field",
    ),
    case(
        "missing_symbols",
        changed(*NO_SYMBOLS),
        "symbols",
        "missing required field",
    ),
    case(
        "empty_symbols",
        changed(*NO_SYMBOLS, ("[system]", "symbols = []\n\n[system]")),
        "symbols",
        "at least one [[symbols]] entry is required",
    ),
    case(
        "bad_enum_value",
        changed(('mode = "paper"', 'mode = "papr"')),
        "system.mode",
        "expected one of 'paper', 'live', 'dry-run', 'replay', got 'papr'",
    ),
    case(
        "table_expected",
        changed(("params = { fast = 9, slow = 21 }", "params = 5")),
        "symbols[0].params",
        "expected table, got int",
    ),
    case(
        "port_out_of_range",
        changed(append="\n[system.metrics]\nport = 70000\n"),
        "system.metrics.port",
        "must be >= 0 and <= 65535, got 70000",
    ),
    case(
        "metrics_bind_not_an_address",
        changed(append='\n[system.metrics]\nbind = "not an ip"\n'),
        "system.metrics.bind",
        "must be an IP address (e.g. '127.0.0.1', '::1') or 'localhost', got 'not an ip'",
    ),
    case(
        "metrics_bind_a_host_name",
        changed(append='\n[system.metrics]\nbind = "metrics.example.com"\n'),
        "system.metrics.bind",
        "must be an IP address",
    ),
    case(
        "fraction_out_of_range",
        changed(append="\n[broker.paper]\npartial_fill_ratio = 0.0\n"),
        "broker.paper.partial_fill_ratio",
        "must be > 0 and <= 1, got 0.0",
    ),
    case(
        "venue_file_not_a_name",
        changed(append='\n[broker.paper]\nvenue_file = "../venue.sqlite"\n'),
        "broker.paper.venue_file",
        "must be a file name inside state_dir",
    ),
    case(
        "venue_file_is_the_journal",
        changed(append='\n[broker.paper]\nvenue_file = "journal.sqlite"\n'),
        "broker.paper.venue_file",
        "must differ from system.journal",
    ),
    case(
        "bad_decimal",
        changed(append='\n[charges]\nexchange_txn_bps = "0.2.97"\n'),
        "charges.exchange_txn_bps",
        "expected decimal",
    ),
    case(
        "bad_time_format",
        changed(('close = "15:30"', 'close = "3:30pm"')),
        "market.close",
        "must be a time as \"HH:MM\" (24-hour), got '3:30pm'",
    ),
    case(
        "unknown_timezone",
        changed(('timezone = "Asia/Kolkata"', 'timezone = "Asia/Bombay2"')),
        "market.timezone",
        "unknown time zone 'Asia/Bombay2'",
    ),
    case(
        "market_open_after_close",
        changed(('open = "09:15"', 'open = "16:00"')),
        "market.open",
        "must be before entry_cutoff (15:00), got 16:00",
    ),
    case(
        "square_off_after_close",
        changed(('close = "15:30"', 'close = "15:30"\nsquare_off = "15:45"')),
        "market.square_off",
        "must be at or before close (15:30), got 15:45",
    ),
    case(
        "segment_cutoff_after_its_square_off",
        changed(
            ('close = "15:30"', 'close = "15:30"\n[market.segments.NFO]\nentry_cutoff = "15:20"'),
        ),
        "market.segments.NFO.entry_cutoff",
        "must be at or before square_off (15:15), got 15:20",
    ),
    case(
        "segment_of_unknown_exchange",
        changed(('close = "15:30"', 'close = "15:30"\n[market.segments.NYSE]\nclose = "16:00"')),
        "market.segments.NYSE",
        "unknown exchange",
    ),
    # --- symbols and strategy params
    case(
        "unknown_strategy",
        changed(('strategy = "rsi_reversion"', 'strategy = "emma_cross"')),
        "symbols[1].strategy",
        "unknown strategy 'emma_cross' (known: channel_breakout, ema_cross, rsi_reversion, or "
        "'module:Class')",
    ),
    case(
        "duplicate_symbol",
        changed(('symbol = "NSE:TCS"', 'symbol = "NSE:INFY"')),
        "symbols[1].symbol",
        "duplicate symbol 'NSE:INFY' (also symbols[0])",
    ),
    case(
        "fast_not_below_slow",
        changed(("{ fast = 9, slow = 21 }", "{ fast = 30, slow = 20 }")),
        "symbols[0].params.fast",
        "fast period (30) must be less than slow period (20)",
    ),
    case(
        "venue_stop_with_no_stop_to_place",
        changed(("quantity = 7", 'quantity = 7\n[symbols.venue_stop]\norder_type = "SL"')),
        "symbols[0].venue_stop",
        "needs a stop to place: set exits.stop_loss_bps or exits.trailing_stop_bps",
    ),
    case(
        "venue_stop_sl_m_on_bse",
        changed(
            ('symbol = "NSE:INFY"', 'symbol = "BSE:INFY"'),
            (
                "quantity = 7",
                "quantity = 7\n[symbols.exits]\nstop_loss_bps = 50\n[symbols.venue_stop]",
            ),
        ),
        "symbols[0].venue_stop.order_type",
        "Zerodha refuses SL-M orders on BSE (the exchange withdrew them): use SL",
    ),
    case(
        "unknown_param",
        changed(("{ fast = 9, slow = 21 }", "{ fast = 9, slow = 21, fats = 3 }")),
        "symbols[0].params.fats",
        "unknown field",
    ),
    case(
        "oversold_above_overbought",
        changed((TCS_BLOCK, TCS_BLOCK + "params = { oversold = 80.0 }\n")),
        "symbols[1].params.oversold",
        "oversold (80.0) must be less than overbought (70.0)",
    ),
    case(
        "cds_exchange",
        changed(('symbol = "NSE:TCS"', 'symbol = "CDS:USDINR25JANFUT"')),
        "symbols[1].symbol",
        "exchange 'CDS' is not supported: currency derivatives are priced in fractions of a paisa",
    ),
    case(
        "symbol_without_exchange",
        changed(('symbol = "NSE:TCS"', 'symbol = "TCS"')),
        "symbols[1].symbol",
        "expected 'EXCHANGE:TRADINGSYMBOL' (e.g. 'NSE:INFY'), got 'TCS'",
    ),
    case(
        "quantity_not_whole_lots",
        changed((TCS_BLOCK, TCS_BLOCK + "lot_size = 2\n")),
        "symbols[1].quantity",
        "must be a whole number of lots of 2, got 5",
    ),
    case(
        "zero_multiplier",
        changed((TCS_BLOCK, TCS_BLOCK + "multiplier = 0\n")),
        "symbols[1].multiplier",
        "must be > 0, got 0",
    ),
    case(
        "quantity_above_order_limit",
        changed(("quantity = 7", "quantity = 700")),
        "symbols[0].quantity",
        "700 exceeds risk.max_order_quantity (100)",
    ),
    # --- modes, feeds and credentials
    case(
        "secret_in_file",
        changed(('api_key_env = "KITE_API_KEY"', 'api_key_env = "KITE_API_KEY"\napi_key = "x"')),
        "broker.kite.api_key",
        "secrets never go in the config file; set the environment variable named by api_key_env",
    ),
    case(
        "live_without_api_key_source",
        changed(*LIVE_ON_KITE, ('api_key_env = "KITE_API_KEY"', 'api_key_env = ""')),
        "broker.kite.api_key_env",
        "mode 'live' needs the name of the environment variable holding the API key",
    ),
    case(
        "dry_run_without_token_source",
        changed(
            *DRY_RUN_ON_KITE, ('access_token_env = "KITE_ACCESS_TOKEN"', 'access_token_env = ""')
        ),
        "broker.kite.access_token_env",
        "mode 'dry-run' needs access_token_env or access_token_file",
    ),
    case(
        "live_on_synthetic_feed",
        changed(('mode = "paper"', 'mode = "live"')),
        "feed.source",
        "mode 'live' needs 'kite', got 'synthetic'",
    ),
    case(
        "paper_on_kite_feed",
        changed(('source = "synthetic"', 'source = "kite"')),
        "feed.source",
        "mode 'paper' needs 'synthetic' or 'replay', got 'kite'",
    ),
    case(
        "replay_mode_on_synthetic_feed",
        changed(('mode = "paper"', 'mode = "replay"')),
        "feed.source",
        "mode 'replay' needs 'replay', got 'synthetic'",
    ),
    case(
        "replay_source_without_path",
        changed(('source = "synthetic"', 'source = "replay"')),
        "feed.replay.path",
        'required when feed.source = "replay"',
    ),
    case(
        "live_orders_per_second_above_kite",
        changed(*LIVE_ON_KITE, append="\n[orders]\nper_second = 11\n"),
        "orders.per_second",
        "mode 'live' trades through Kite, which allows at most 10 orders per second, got 11",
    ),
    case(
        "live_orders_per_minute_above_kite",
        changed(*LIVE_ON_KITE, append="\n[orders]\nper_minute = 401\n"),
        "orders.per_minute",
        "at most 400 orders per minute, got 401",
    ),
    case(
        "live_orders_per_day_above_kite",
        changed(*LIVE_ON_KITE, append="\n[orders]\nper_day = 5001\n"),
        "orders.per_day",
        "at most 5,000 orders per day, got 5,001",
    ),
    case(
        "dry_run_orders_per_second_above_kite",
        changed(*DRY_RUN_ON_KITE, append="\n[orders]\nper_second = 50\n"),
        "orders.per_second",
        "mode 'dry-run' trades through Kite, which allows at most 10 orders per second, got 50",
    ),
    case(
        "faults_in_live_mode",
        changed(*LIVE_ON_KITE, ("enabled = false", "enabled = true")),
        "faults.enabled",
        "fault injection is refused in live mode",
    ),
    # --- supervision
    case(
        "backoff_max_below_min",
        changed(("backoff_max_seconds = 5.0", "backoff_max_seconds = 0.01")),
        "supervision.backoff_max_seconds",
        "must be >= backoff_min_seconds (0.05), got 0.01",
    ),
    case(
        "unknown_override_actor",
        changed(append='\n[supervision.overrides.Foo]\nrestart = "transient"\n'),
        "supervision.overrides.Foo",
        "unknown actor 'Foo' (known: Heartbeat, OrderRouter, PnLTracker, PositionSync, RiskGate, ",
    ),
    case(
        "override_for_unconfigured_symbol",
        changed(append='\n[supervision.overrides."Strategy:NSE:SBIN"]\nrestart = "transient"\n'),
        "supervision.overrides.Strategy:NSE:SBIN",
        "unknown actor 'Strategy:NSE:SBIN': no [[symbols]] entry is 'NSE:SBIN'",
    ),
    case(
        "bad_restart_value",
        changed(append='\n[supervision.overrides.RiskGate]\nrestart = "always"\n'),
        "supervision.overrides.RiskGate.restart",
        "expected one of 'permanent', 'transient', 'temporary', got 'always'",
    ),
    case(
        "override_backoff_inverted",
        changed(append="\n[supervision.overrides.TickFeed]\nbackoff_max_seconds = 0.01\n"),
        "supervision.overrides.TickFeed.backoff_max_seconds",
        "backoff would go from 0.05 up to a smaller 0.01 seconds",
    ),
    case(
        "heartbeat_timeout_not_above_interval",
        changed(("timeout_seconds = 3.0", "timeout_seconds = 1.0")),
        "heartbeat.timeout_seconds",
        "must be greater than interval_seconds (1.0), got 1.0",
    ),
    # --- fault rules
    case(
        "fault_glob_matches_nothing",
        changed(append=rule('actor = "Strategy:BSE:*"', 'action = "raise"', "every_nth = 10")),
        "faults.rules[0].actor",
        "'Strategy:BSE:*' matches no actor",
    ),
    case(
        "fault_both_triggers",
        changed(
            append=rule(
                'actor = "RiskGate"', 'action = "raise"', "every_nth = 9", "probability = 0.5"
            )
        ),
        "faults.rules[0].probability",
        "give every_nth or probability, not both",
    ),
    case(
        "fault_no_trigger",
        changed(append=rule('actor = "RiskGate"', 'action = "raise"')),
        "faults.rules[0].every_nth",
        "give one of every_nth or probability",
    ),
    case(
        "fault_hang_without_seconds",
        changed(append=rule('actor = "TickFeed"', 'action = "hang"', "every_nth = 10")),
        "faults.rules[0].hang_seconds",
        'required when action = "hang"',
    ),
    case(
        "fault_unknown_message_type",
        changed(
            append=rule(
                'actor = "Strategy:*"', 'action = "raise"', "every_nth = 3", 'message = "Tik"'
            )
        ),
        "faults.rules[0].message",
        "unknown message type 'Tik' (did you mean 'Tick'?)",
    ),
]


@pytest.mark.parametrize(("toml", "path", "fragment"), CASES)
def test_check_config_reports_the_one_problem_at_its_path(tmp_path: Path, toml, path, fragment):
    config_file = tmp_path / "bad.toml"
    config_file.write_text(toml)

    result = run_check_config(config_file)

    assert result.returncode == 2, result.stdout + result.stderr
    problems = result.stdout.splitlines()
    assert len(problems) == 1, problems  # one change, one reason
    assert problems[0].startswith(f"{path}: "), problems
    assert fragment in problems[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_paper_may_simulate_order_rates_above_kites(tmp_path: Path):
    config_file = tmp_path / "fast-paper.toml"
    rates = "\n[orders]\nper_second = 1000\nper_minute = 60000\nper_day = 1000000\n"
    config_file.write_text(changed(append=rates))

    result = run_check_config(config_file)

    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stdout


@pytest.mark.parametrize("bind", ["127.0.0.1", "0.0.0.0", "::1", "::", "localhost"])
def test_address_literals_and_localhost_are_accepted_as_metrics_bind(bind: str):
    from config import load_config_text

    loaded = load_config_text(changed(append=f'\n[system.metrics]\nbind = "{bind}"\n'))

    assert loaded.system.metrics.bind == bind


def test_a_secret_in_the_file_is_named_but_never_echoed(tmp_path: Path):
    config_file = tmp_path / "secret.toml"
    config_file.write_text(changed(append='\n[broker]\naccess_token = "tok3n-value"\n'))

    result = run_check_config(config_file)

    assert result.returncode == 2
    assert result.stdout.startswith("broker.access_token: secrets never go in the config file")
    assert "tok3n-value" not in result.stdout + result.stderr


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path):
    config_file = tmp_path / "broken.toml"
    config_file.write_text(changed(('mode = "paper"', "mode = paper")))

    result = run_check_config(config_file)

    assert result.returncode == 2
    assert result.stdout.startswith(f"{config_file}: invalid TOML: ")
    assert "line 2" in result.stdout


def test_missing_file_is_one_error_naming_it(tmp_path: Path):
    missing = tmp_path / "nowhere.toml"

    result = run_check_config(missing)

    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{missing}: cannot read config file: No such file or directory"
    ]


def test_three_independent_errors_in_three_sections_are_all_reported(tmp_path: Path):
    config_file = tmp_path / "three.toml"
    config_file.write_text(
        changed(
            ('mode = "paper"', 'mode = "paper"\nbogus = 1'),
            ('strategy = "rsi_reversion"', 'strategy = "emma_cross"'),
            ("max_daily_loss = 5000", 'max_daily_loss = "5000"'),
        )
    )

    result = run_check_config(config_file)

    assert result.returncode == 2
    paths = [line.split(": ", 1)[0] for line in result.stdout.splitlines()]
    assert sorted(paths) == ["risk.max_daily_loss", "symbols[1].strategy", "system.bogus"]
