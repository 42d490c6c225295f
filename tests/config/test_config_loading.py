"""Good configs load into the typed tree, the helpers the rest of the system relies on answer
correctly, and the CLI's happy paths work."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from config_cases import MINIMAL_TOML, REPO_ROOT, changed, run_check_config

import config
from config import DEFAULT_CONFIG_PATH, LIVE_EXAMPLE_CONFIG_PATH, ConfigError
from strategies import STRATEGY_PARAMS, EmaCrossParams, RsiReversionParams


def test_minimal_config_is_valid_so_each_bad_case_fails_for_its_own_reason():
    loaded = config.load_config_text(MINIMAL_TOML)

    assert [entry.symbol for entry in loaded.symbols] == ["NSE:INFY", "NSE:TCS"]


def test_default_config_is_the_shipped_paper_config():
    assert DEFAULT_CONFIG_PATH == REPO_ROOT / "config" / "paper.toml"
    assert DEFAULT_CONFIG_PATH.is_file()


def test_paper_config_runs_without_credentials_on_loopback():
    loaded = config.load_config(DEFAULT_CONFIG_PATH)

    assert loaded.system.mode == "paper"
    assert loaded.feed.source == "synthetic"
    assert (loaded.system.metrics.bind, loaded.system.metrics.port) == ("127.0.0.1", 9108)
    assert loaded.system.state_dir == "state"
    assert loaded.faults.enabled is False
    assert 3 <= len(loaded.symbols) <= 5
    assert {entry.exchange for entry in loaded.symbols} == {"NSE"}
    assert {entry.strategy for entry in loaded.symbols} == set(STRATEGY_PARAMS)


def test_live_example_is_live_on_kite_with_credentials_from_the_environment():
    loaded = config.load_config(LIVE_EXAMPLE_CONFIG_PATH)

    assert loaded.system.mode == "live"
    assert loaded.feed.source == "kite"
    kite = loaded.broker.kite
    assert (kite.api_key_env, kite.access_token_env) == ("KITE_API_KEY", "KITE_ACCESS_TOKEN")


def test_check_config_prints_ok_for_the_paper_config():
    result = run_check_config("config/paper.toml")

    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_check_config_loads_neither_pykka_nor_kiteconnect():
    probe = (
        "import sys, main\n"
        "assert main.main(['check-config', 'config/paper.toml']) == 0\n"
        "heavy = {'pykka', 'kiteconnect'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_cli_help_lists_the_commands_and_run_refuses_a_bad_config(tmp_path):
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "main.py", *args]
        return subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False
        )

    help_result = cli("--help")
    bad = tmp_path / "bad.toml"
    bad.write_text(MINIMAL_TOML.replace("[risk]", "[risk]\nbogus = 1", 1))
    run_result = cli("run", "--config", str(bad), "--duration", "5")

    assert help_result.returncode == 0
    assert "check-config" in help_result.stdout and "run" in help_result.stdout
    assert run_result.returncode == 2
    assert "risk.bogus: unknown field" in run_result.stdout


def test_actor_names_are_in_start_order_with_one_strategy_per_symbol_in_file_order():
    loaded = config.load_config_text(MINIMAL_TOML)

    assert loaded.actor_names() == (
        "PnLTracker",
        "RiskGate",
        "OrderRouter",
        "PositionSync",
        "Strategy:NSE:INFY",
        "Strategy:NSE:TCS",
        "TickFeed",
        "Heartbeat",
    )


def test_supervision_for_layers_defaults_then_strategy_then_the_symbols_override():
    loaded = config.load_config_text(
        changed(
            append=(
                "\n[supervision.overrides.Strategy]\n"
                "backoff_max_seconds = 2.0\nheld_messages_max = 50\n"
                '\n[supervision.overrides."Strategy:NSE:TCS"]\n'
                'restart = "transient"\nheld_messages_max = 7\n'
            )
        )
    )

    infy = loaded.supervision_for("Strategy:NSE:INFY")
    tcs = loaded.supervision_for("Strategy:NSE:TCS")
    router = loaded.supervision_for("OrderRouter")

    assert (infy.restart, infy.backoff_max_seconds, infy.held_messages_max) == (
        "permanent",
        2.0,
        50,
    )
    assert (tcs.restart, tcs.backoff_max_seconds, tcs.held_messages_max) == ("transient", 2.0, 7)
    assert (router.restart, router.backoff_max_seconds, router.held_messages_max) == (
        "permanent",
        5.0,
        10_000,
    )
    assert router.backoff_min_seconds == 0.05 and router.backoff_jitter == 0.2
    with pytest.raises(KeyError):
        loaded.supervision_for("Strategy")


def test_money_limits_are_rupees_in_the_file_and_paise_inside():
    risk = config.load_config_text(MINIMAL_TOML).risk

    assert (risk.max_daily_loss, risk.max_daily_loss_paise) == (5000, 500_000)
    assert risk.max_drawdown_paise == 750_000
    assert risk.max_order_value_paise == 20_000_000


def test_charges_default_to_exact_decimal_rates():
    charges = config.load_config_text(
        changed(append='\n[charges]\nstt_sell_bps = 2.5\nexchange_txn_bps = "0.297"\n')
    ).charges

    assert charges.exchange_txn_bps == Decimal("0.297")
    assert charges.stt_sell_bps == Decimal("2.5")
    assert charges.brokerage_cap_paise == 2000


def test_symbol_params_come_back_typed_with_defaults_filled_in():
    loaded = config.load_config_text(MINIMAL_TOML)

    assert loaded.symbol("NSE:INFY").strategy_params() == EmaCrossParams(fast=9, slow=21)
    assert loaded.symbol("NSE:TCS").strategy_params() == RsiReversionParams()
    assert loaded.symbol("NSE:TCS").actor_name == "Strategy:NSE:TCS"


def test_rules_hold_for_structs_built_in_code_too():
    with pytest.raises(ValueError, match="fast period"):
        EmaCrossParams(fast=30, slow=20)


def test_config_error_lists_every_problem_one_line_each():
    bad = changed(
        ('mode = "paper"', 'mode = "papr"'),
        ('open = "09:15"', 'open = "16:00"'),
    )

    with pytest.raises(ConfigError) as caught:
        config.load_config_text(bad)

    assert [path for path, _ in caught.value.problems] == ["system.mode", "market.open"]
    assert str(caught.value).splitlines()[0] == (
        "system.mode: expected one of 'paper', 'live', 'dry-run', 'replay', got 'papr'"
    )


def test_check_config_warns_of_an_exchange_whose_holidays_it_does_not_know(tmp_path: Path):
    mcx = MINIMAL_TOML + (
        '\n[[symbols]]\nsymbol = "MCX:CRUDEOILM26DECFUT"\nstrategy = "ema_cross"\n'
        "quantity = 1\nmultiplier = 10\n"
    )
    path = tmp_path / "mcx.toml"
    path.write_text(mcx, encoding="utf-8")
    result = run_check_config(path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "ok"
    assert len(lines) == 2 and lines[0].startswith("warning: market.holidays: no MCX holiday list")
