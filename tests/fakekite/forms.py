"""Kite's order form fields, parsed and validated as Kite does: a bad field is a 400
InputException and no order is created."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from tests.fakekite.errors import ApiError
from tests.fakekite.market import Instrument, to_decimal


def choice(
    form: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str | None = None
) -> str:
    value = form.get(name) or default
    if value not in allowed:
        raise ApiError(f"Invalid `{name}` {value!r}; expected one of {', '.join(allowed)}.")
    return value


def integer(form: Mapping[str, str], name: str, default: int) -> int:
    raw = form.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(f"Invalid `{name}` {raw!r}.") from None


def quantity(form: Mapping[str, str], ins: Instrument) -> int:
    quantity = integer(form, "quantity", 0)
    if quantity <= 0:
        raise ApiError("Invalid `quantity`.")
    if quantity % ins.lot_size:
        raise ApiError(f"Quantity should be a multiple of the lot size {ins.lot_size}.")
    return quantity


def price(form: Mapping[str, str], name: str, ins: Instrument, *, required: bool) -> Decimal:
    raw = form.get(name)
    if raw in (None, ""):
        if required:
            raise ApiError(f"Missing `{name}`.")
        return Decimal(0)
    try:
        value = to_decimal(raw)
    except InvalidOperation:
        raise ApiError(f"Invalid `{name}` {raw!r}.") from None
    if not required and value == 0:
        return value
    if value <= 0:
        raise ApiError(f"Invalid `{name}` {raw!r}.")
    if not ins.on_tick(value):
        raise ApiError(
            f"Tick size for this script is {ins.tick_size}. Kindly enter {name} in the "
            "multiple of tick size for this script."
        )
    return value
