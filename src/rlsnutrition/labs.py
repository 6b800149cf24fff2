"""What a person brings to ``assess``: lab results and the context to judge them in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Literal

import attrs

from .errors import InvalidArgumentError, show

__all__ = ["Context", "LabResult"]

Censor = Literal["<", "<=", ">", ">="]


@attrs.frozen
class LabResult:
    """One lab result: an analyte (id, alias or LOINC code), a value and its unit.

    ``unit`` None means the analyte's default unit. ``comparator`` marks a censored result
    (``"<"`` for "< 5 ng/mL"); ``when`` is the ISO date or date-time it was taken, where known.

    Examples:
        >>> LabResult("ferritin", 45, "ng/mL")
        LabResult(analyte='ferritin', value=45, unit='ng/mL', comparator=None, when=None)
    """

    analyte: str
    value: float
    unit: str | None = None
    comparator: Censor | None = None
    when: str | None = None


_SEXES = ("female", "male")


def _check_sex(_: object, __: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and value not in _SEXES:
        raise InvalidArgumentError(f"sex must be 'female', 'male' or None, not {show(value)}")


def _check_age(_: object, __: attrs.Attribute[int | None], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise InvalidArgumentError(
            f"age must be None or a whole number of years 0-130, not {show(value)}"
        )


def _check_flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{attribute.name} must be True or False, not {show(value)}")


@attrs.frozen
class Context:
    """Who the labs belong to, as far as it changes how they are judged.

    Everything defaults to unknown or False. ``dialysis`` implies kidney disease.

    Examples:
        >>> Context(sex="female", pregnant=True)
        Context(sex='female', age=None, pregnant=True, kidney_disease=False, dialysis=False)
    """

    sex: Literal["female", "male"] | None = attrs.field(default=None, validator=_check_sex)
    age: int | None = attrs.field(default=None, validator=_check_age)
    pregnant: bool = attrs.field(default=False, validator=_check_flag)
    kidney_disease: bool = attrs.field(default=False, validator=_check_flag)
    dialysis: bool = attrs.field(default=False, validator=_check_flag)

    def __attrs_post_init__(self) -> None:
        if self.pregnant and self.sex == "male":
            raise InvalidArgumentError("pregnant=True does not go with sex='male'")


_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?)?)?\Z"
)


NO_DATE = datetime(1, 1, 1, tzinfo=timezone.utc)  # older than any date parse_when gives


def parse_when(text: object) -> datetime | None:
    """An ISO 8601 / FHIR date, partial date or date-time (a LabResult's ``when``) as an aware
    datetime, UTC when no zone is given; None for anything else.
    """
    m = _DATE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        return None
    year, month, day, hour, minute, second, zone = m.groups()
    try:
        tz = timezone.utc
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        return datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None
