"""What every config section shares: the Struct options, the cross-check protocol, and the
constrained number types the sections are written in.

Every section is ``frozen`` (the config is shared by all actors, read-only), ``kw_only`` (fields
are named in the file, never positional) and ``forbid_unknown_fields`` (a misspelt key is an
error, not a setting silently left at its default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec

from config.validate import Problem

PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]
NonNegativeFloat = Annotated[float, msgspec.Meta(ge=0)]
UnitInterval = Annotated[float, msgspec.Meta(ge=0, le=1)]
"""A fraction in [0, 1]."""
PositiveFraction = Annotated[float, msgspec.Meta(gt=0, le=1)]
"""A fraction in (0, 1]."""
NonEmptyStr = Annotated[str, msgspec.Meta(min_length=1)]

PAISE_PER_RUPEE = 100


def rupees_to_paise(rupees: int) -> int:
    """Money limits are whole rupees in the file (what a trader thinks in) and paise inside
    (the system's exact minor unit, DESIGN rule 8)."""
    return rupees * PAISE_PER_RUPEE


def have(values: Mapping[str, Any], *names: str) -> bool:
    """True if every named field passed its own checks: a cross-check that needs a field which
    already failed skips itself instead of reporting a second, derived problem."""
    return all(name in values for name in names)


class Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every config Struct.

    ``cross_checks`` holds the rules between fields. The loader calls it with the fields that
    passed (see ``config.validate``) so that every problem is reported at its own path;
    ``__post_init__`` calls it with all of them, so a section built in code obeys the same rules.
    """

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        """Rules between this section's fields; ``(relative path, message)`` per problem."""
        return []

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name in self.__struct_fields__}
        problems = type(self).cross_checks(values)
        if problems:
            raise ValueError("; ".join(f"{path}: {message}" for path, message in problems))
