"""Out-of-tree strategies: ``strategy = "package.module:ClassName"`` in ``[[symbols]]``, from a
directory ``[system] strategy_paths`` names.

The class is the whole contract (``strategies.api``): ``Params``, a ``StrategyParams``
subclass (typed and validated by check-config at ``symbols[i].params.<field>``, like a
built-in's), a constructor taking one ``Params``, ``name``, ``warmup_ticks``, ``on_tick`` and
``warm_up`` (and ``bar_seconds`` with ``on_bar`` for bars). What is wrong with it is said as
a config problem at ``symbols[i].strategy``, never first at run.

Why by hand rather than entry points: a user's strategy is a file next to their config, not
an installed distribution; a path and a dotted name are all there is to it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from strategies.params import StrategyParams

REQUIRED = ("on_tick", "warm_up")


def is_external(spec: str) -> bool:
    """``package.module:ClassName`` rather than a built-in's registry name."""
    return ":" in spec


def add_paths(paths: Iterable[str]) -> None:
    """Make ``paths`` importable (first, so a user's module is not shadowed), once each."""
    for path in reversed([str(Path(p).resolve()) for p in paths]):
        if path not in sys.path:
            sys.path.insert(0, path)


class StrategyLoadError(Exception):
    """Why ``spec`` names no usable strategy class; for a person to fix in the config."""


def load_class(spec: str, paths: Iterable[str] = ()) -> Any:
    """The class ``spec`` names, checked against the contract."""
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise StrategyLoadError(f"expected 'package.module:ClassName', got {spec!r}")
    add_paths(paths)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the user's module: any error in it is theirs to read
        raise StrategyLoadError(
            f"cannot import {module_name!r} ({type(exc).__name__}: {exc}); is its directory "
            "in [system] strategy_paths?"
        ) from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise StrategyLoadError(f"module {module_name!r} has no class {class_name!r}")
    params = getattr(cls, "Params", None)
    if not (isinstance(params, type) and issubclass(params, StrategyParams)):
        raise StrategyLoadError(
            f"{spec}: needs a Params class attribute, a subclass of strategies.StrategyParams"
        )
    missing = [name for name in REQUIRED if not callable(getattr(cls, name, None))]
    if missing:
        raise StrategyLoadError(f"{spec}: has no {', '.join(missing)} (see strategies.api)")
    if callable(getattr(cls, "on_bar", None)) != hasattr(cls, "bar_seconds"):
        raise StrategyLoadError(f"{spec}: on_bar and bar_seconds go together")
    return cls


def params_type(spec: str, paths: Iterable[str] = ()) -> type[StrategyParams]:
    return load_class(spec, paths).Params  # type: ignore[no-any-return]
