"""The config: one TOML file that is the whole actor topology, as typed, frozen Structs.

``load_config(path)`` returns a ``Config`` or raises ``ConfigError`` listing every problem
(``risk.max_daily_loss: expected int, got str``). ``DEFAULT_CONFIG_PATH`` is the embedded paper
config that runs with no credentials.
"""

from pathlib import Path

from config.load import ConfigError, load_config, load_config_text
from config.schema import Config
from config.supervision import ChildSupervision
from config.symbols import SymbolConfig

DEFAULT_CONFIG_PATH: Path = Path(__file__).resolve().parent / "paper.toml"
"""The shipped paper-trading config: synthetic ticks, paper broker, no credentials."""
LIVE_EXAMPLE_CONFIG_PATH: Path = Path(__file__).resolve().parent / "live.example.toml"

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "LIVE_EXAMPLE_CONFIG_PATH",
    "ChildSupervision",
    "Config",
    "ConfigError",
    "SymbolConfig",
    "load_config",
    "load_config_text",
]
