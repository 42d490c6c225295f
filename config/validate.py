"""Field-by-field validation of decoded TOML against the config Structs, collecting every problem.

Why not one ``msgspec.convert(raw, Config)``: it stops at the first mistake, so a file with five
mistakes would cost five edit-and-retry rounds, and its messages (``Expected `int` >= 1 - at
`$.risk.max_order_quantity```) are written for programmers. Here each field is converted on its
own with ``msgspec.convert`` (so msgspec still does the type and ``Meta`` checks), nested Structs
and arrays/tables of Structs are walked recursively, and every problem is recorded as a
``(dotted.path, human message)`` pair.

A Struct may define ``cross_checks(values)``, a classmethod receiving the fields that passed
their own checks (defaults filled in, failed ones absent) and returning ``(relative path,
message)`` problems. It runs even when other fields failed, so independent mistakes are all
reported; each rule only looks at the fields it needs and skips itself when one is absent.
"""

from __future__ import annotations

import datetime
import decimal
import difflib
import math
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import msgspec

Problem = tuple[str, str]
"""``(dotted.path, message)``: where a problem is and what was expected."""


class _Invalid:
    """The result of validating a value that failed (its problems are already recorded)."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def join_path(path: str, key: str) -> str:
    """``join_path("risk", "max_daily_loss") == "risk.max_daily_loss"``; indices attach directly
    (``symbols`` + ``[0]``) and an empty key means the path itself."""
    if not key:
        return path
    if not path:
        return key
    return f"{path}{key}" if key.startswith("[") else f"{path}.{key}"


def validate_struct(raw: Any, cls: type[msgspec.Struct], path: str, problems: list[Problem]) -> Any:
    """Build ``cls`` from a decoded TOML table, appending every problem found; return the
    Struct, or ``INVALID`` if anything in it (or below it) was wrong."""
    if not isinstance(raw, dict):
        problems.append((path, f"expected table, got {_type_name(raw)}"))
        return INVALID
    fields = {field.encode_name: field for field in msgspec.structs.fields(cls)}
    values: dict[str, Any] = {}
    valid = True
    for key, item in raw.items():
        field = fields.get(key)
        if field is None:
            problems.append((join_path(path, key), _unknown_field_message(cls, key, fields)))
            valid = False
            continue
        value = validate_value(item, field.type, join_path(path, key), problems)
        if value is INVALID:
            valid = False
        else:
            values[field.name] = value
    for key, field in fields.items():
        if key in raw:
            continue
        if field.required:
            problems.append((join_path(path, key), "missing required field"))
            valid = False
        elif field.default is not msgspec.NODEFAULT:
            values[field.name] = field.default
        else:
            values[field.name] = field.default_factory()
    cross_checks = getattr(cls, "cross_checks", None)
    if cross_checks is not None:
        for relative, message in cross_checks(values):
            problems.append((join_path(path, relative), message))
            valid = False
    if not valid:
        return INVALID
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # a rule only __post_init__ knows: still one problem
        problems.append((path, str(exc)))
        return INVALID


def validate_value(raw: Any, tp: Any, path: str, problems: list[Problem]) -> Any:
    """Validate one value against its annotation: recurse into Structs, ``tuple[Struct, ...]``
    and ``dict[str, Struct]``; convert anything else with msgspec as a leaf."""
    base, _ = _strip_annotated(tp)
    struct = _struct_type(base)
    if struct is not None:
        return validate_struct(raw, struct, path, problems)
    origin, args = get_origin(base), get_args(base)
    if origin in (list, tuple) and args and _struct_type(args[0]) is not None:
        if not isinstance(raw, list):
            problems.append((path, f"expected array of tables, got {_type_name(raw)}"))
            return INVALID
        items = [validate_value(v, args[0], f"{path}[{i}]", problems) for i, v in enumerate(raw)]
        if any(item is INVALID for item in items):
            return INVALID
        return tuple(items) if origin is tuple else items
    if origin is dict and _struct_type(args[1]) is not None:
        if not isinstance(raw, dict):
            problems.append((path, f"expected table, got {_type_name(raw)}"))
            return INVALID
        entries = {
            k: validate_value(v, args[1], join_path(path, k), problems) for k, v in raw.items()
        }
        return INVALID if any(v is INVALID for v in entries.values()) else entries
    return _validate_leaf(raw, tp, path, problems)


def describe(tp: Any) -> str:
    """What a human should write for a value of type ``tp``, e.g. ``one of 'ltp', 'quote'``."""
    base, metas = _strip_annotated(tp)
    for meta in metas:
        if meta.description:
            return meta.description
    origin, args = get_origin(base), get_args(base)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg) for arg in args if arg is not type(None))
    if origin is Literal:
        shown = ", ".join(repr(arg) for arg in args)
        return shown if len(args) == 1 else f"one of {shown}"
    if origin in (list, tuple):
        return f"array of {describe(args[0])}" if args else "array"
    if origin is dict or base is dict or _struct_type(base) is not None:
        return "table"
    if base is decimal.Decimal:
        return 'decimal (a number or a string like "0.297")'
    if base is Any:
        return "any value"
    return getattr(base, "__name__", str(base))


def _validate_leaf(raw: Any, tp: Any, path: str, problems: list[Problem]) -> Any:
    try:
        value = msgspec.convert(raw, tp)
    except msgspec.ValidationError:
        problems.append((path, _leaf_message(raw, tp)))
        return INVALID
    if isinstance(value, float) and not math.isfinite(value):
        problems.append((path, f"must be a finite number, got {value!r}"))
        return INVALID
    return value


def _leaf_message(raw: Any, tp: Any) -> str:
    """Tell a wrong type (``expected int, got str``) from a right type with a wrong value
    (``must be > 0, got 0``) by converting again without the ``Meta`` constraints."""
    try:
        msgspec.convert(raw, _without_constraints(tp))
    except msgspec.ValidationError:
        return f"expected {describe(tp)}, got {_shown(raw, tp)}"
    metas = _constraints(tp)
    for meta in metas:
        if meta.pattern is not None:
            return (
                f"must be {meta.description or f'a string matching {meta.pattern!r}'}, got {raw!r}"
            )
        if meta.min_length == 1:
            return "must not be empty"
    bounds = [
        f"{op} {getattr(meta, attr)}"
        for meta in metas
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))
        if getattr(meta, attr) is not None
    ]
    return f"must be {' and '.join(bounds) or 'valid'}, got {raw!r}"


def _unknown_field_message(cls: type, key: str, fields: Mapping[str, Any]) -> str:
    """``unknown field``, with a hint: where a secret must go instead, or the likely spelling."""
    secret_hint = getattr(cls, "SECRET_FIELDS", {}).get(key)
    if secret_hint is not None:
        return f"secrets never go in the config file; {secret_hint}"
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.75)
    return f"unknown field (did you mean {close[0]!r}?)" if close else "unknown field"


def _strip_annotated(tp: Any) -> tuple[Any, list[msgspec.Meta]]:
    metas: list[msgspec.Meta] = []
    while get_origin(tp) is Annotated:
        tp, *extras = get_args(tp)
        metas.extend(extra for extra in extras if isinstance(extra, msgspec.Meta))
    return tp, metas


def _without_constraints(tp: Any) -> Any:
    base, _ = _strip_annotated(tp)
    origin, args = get_origin(base), get_args(base)
    if origin in (Union, types.UnionType):
        return Union[tuple(_without_constraints(arg) for arg in args)]  # noqa: UP007
    return base


def _constraints(tp: Any) -> list[msgspec.Meta]:
    base, metas = _strip_annotated(tp)
    if get_origin(base) in (Union, types.UnionType):
        for arg in get_args(base):
            metas.extend(_constraints(arg))
    return metas


def _struct_type(tp: Any) -> type[msgspec.Struct] | None:
    """``tp`` if it is a Struct type, the Struct of ``Struct | None``, else None."""
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return tp
    if get_origin(tp) in (Union, types.UnionType):
        members = [arg for arg in get_args(tp) if arg is not type(None)]
        if len(members) == 1:
            return _struct_type(members[0])
    return None


def _accepts_strings(tp: Any) -> bool:
    base, _ = _strip_annotated(tp)
    origin, args = get_origin(base), get_args(base)
    if origin in (Union, types.UnionType):
        return any(_accepts_strings(arg) for arg in args)
    if origin is Literal:
        return any(isinstance(arg, str) for arg in args)
    return base in (str, decimal.Decimal)


def _shown(raw: Any, tp: Any) -> str:
    """A wrong string is worth quoting where strings are expected (``got 'papr'``); otherwise
    its TOML type says enough (``got str``)."""
    if isinstance(raw, str) and _accepts_strings(tp):
        return repr(raw)
    return _type_name(raw)


_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "bool"),  # before int: bool is a subclass of int
    (int, "int"),
    (float, "float"),
    (str, "str"),
    (list, "array"),
    (dict, "table"),
    (datetime.datetime, "datetime"),  # before date: datetime is a subclass of date
    (datetime.date, "date"),
    (datetime.time, "time"),
)


def _type_name(raw: Any) -> str:
    """The TOML name of a decoded value's type."""
    for py_type, name in _TYPE_NAMES:
        if isinstance(raw, py_type):
            return name
    return type(raw).__name__
