"""What a person brings to ``assess``: lab results and the context to judge them in."""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Generic, NamedTuple, TypeVar

import attrs

from .errors import InvalidArgumentError, show
from .model import SEXES, Comparator, Sex

__all__ = ["Conflict", "Context", "LabResult", "Latest", "latest"]

Censor = Comparator

# The one comparator vocabulary, for strings ("≤5"), (value, unit) tuples, LabResult and FHIR
# Quantity.comparator alike: every spelling accepted, and the comparator it means.
COMPARATORS: dict[str, Censor] = {
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
    "\u2264": "<=",  # ≤
    "\u2265": ">=",  # ≥
    "\u2a7d": "<=",  # ⩽
    "\u2a7e": ">=",  # ⩾
    "\uff1c": "<",  # full-width <
    "\uff1e": ">",  # full-width >
}
# Longest first, so that "<=" is read before "<".
_SPELLINGS = tuple(sorted(COMPARATORS, key=len, reverse=True))
_FIRST = frozenset(spelling[0] for spelling in COMPARATORS)


def comparator_of(spelling: object) -> Censor | None:
    """The comparator a spelling means (``"≤"`` means ``"<="``), or None if it is none."""
    return COMPARATORS.get(spelling) if isinstance(spelling, str) else None


def split_comparator(text: str) -> tuple[Censor | None, str]:
    """A leading comparator of ``text`` (already stripped) and the rest, stripped."""
    if text[:1] not in _FIRST:
        return None, text
    for spelling in _SPELLINGS:
        if text.startswith(spelling):
            return COMPARATORS[spelling], text[len(spelling) :].lstrip()
    return None, text


def _canonical_comparator(value: object) -> object:
    # Any spelling of the vocabulary becomes its canonical form; anything else is kept, for
    # assess() to refuse by name.
    found = comparator_of(value)
    return value if found is None else found


@attrs.frozen
class LabResult:
    """One lab result: an analyte (id, alias or LOINC code), a value and its unit.

    ``unit`` None means the analyte's default unit. ``comparator`` marks a censored result
    (``"<"`` for "< 5 ng/mL"; ``"≤"`` and ``"≥"`` are read as ``"<="`` and ``">="``);
    ``when`` is the ISO date or date-time it was taken, where known (a string: ``assess``
    refuses anything else with `InvalidLabValueError`).

    Attributes:
        analyte: an analyte id, alias or LOINC code.
        value: the number (or a string such as ``"45 ng/mL"`` or ``"<5"``, as ``assess`` reads).
        unit: its unit, or None for the analyte's default unit.
        comparator: ``"<"``, ``"<="``, ``">"`` or ``">="`` for a censored result, else None.
        when: the ISO date or date-time the sample was taken, where known.

    Examples:
        >>> LabResult("ferritin", 45, "ng/mL")
        LabResult(analyte='ferritin', value=45, unit='ng/mL', comparator=None, when=None)
    """

    analyte: str
    value: float
    unit: str | None = None
    comparator: Censor | None = attrs.field(default=None, converter=_canonical_comparator)
    when: str | None = None


def _check_sex(_: object, __: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and value not in SEXES:
        accepted = ", ".join(repr(s) for s in SEXES)
        raise InvalidArgumentError(f"sex must be {accepted} or None, not {show(value)}")


def _check_age(_: object, __: attrs.Attribute[int | None], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 130:
        raise InvalidArgumentError(
            f"age must be None or a whole number of years 0-130, not {show(value)}"
        )


def _whole(value: int | None) -> int | None:
    """A numpy integer (``np.int64(52)``, as a pandas column holds it) as the int it is."""
    if not isinstance(value, (int, type(None))) and isinstance(value, numbers.Integral):
        return int(value)
    return value


def _truth(value: bool) -> bool:
    """A numpy boolean (``np.True_``) as the bool it is; anything else is left to the check."""
    kind = type(value)
    if kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"):
        return bool(value)
    return value


def _check_flag(_: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        raise InvalidArgumentError(f"{attribute.name} must be True or False, not {show(value)}")


@attrs.frozen
class Context:
    """Who the labs belong to, as far as it changes how they are judged.

    Everything defaults to unknown or False. ``dialysis`` implies kidney disease. numpy
    integers and booleans (as a pandas column holds them) are read as the int or bool they are.

    Attributes:
        sex: ``"female"``, ``"male"`` or None (unknown); picks the hemoglobin cut-off.
        age: age in years, 0 to 130, or None.
        pregnant: pregnancy: its own hemoglobin cut-off, and IV iron left to a specialist.
        kidney_disease: chronic kidney disease: the magnesium caution.
        dialysis: on dialysis: iron judged by the end-stage renal disease criteria.

    Examples:
        >>> Context(sex="female", pregnant=True)
        Context(sex='female', age=None, pregnant=True, kidney_disease=False, dialysis=False)
    """

    sex: Sex | None = attrs.field(default=None, validator=_check_sex)
    age: int | None = attrs.field(default=None, converter=_whole, validator=_check_age)
    pregnant: bool = attrs.field(default=False, converter=_truth, validator=_check_flag)
    kidney_disease: bool = attrs.field(default=False, converter=_truth, validator=_check_flag)
    dialysis: bool = attrs.field(default=False, converter=_truth, validator=_check_flag)

    def __attrs_post_init__(self) -> None:
        if self.pregnant and self.sex == "male":
            raise InvalidArgumentError("pregnant=True does not go with sex='male'")


_DATE = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?)?)?)?\Z"
)


NO_DATE = datetime(1, 1, 1, tzinfo=timezone.utc)  # older than any date parse_when gives
_LEAP = timedelta(microseconds=999_999)


def parse_when(text: object) -> datetime | None:
    """An ISO 8601 / FHIR date, partial date or date-time (a LabResult's ``when``) as an aware
    datetime, UTC when no zone is given; None for anything else.

    A leap second (``23:59:60``, which FHIR allows) is the instant just before the next
    minute: later than ``23:59:59``, earlier than ``00:00:00`` of the next day.
    """
    m = _DATE.match(text.strip()) if isinstance(text, str) else None
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = m.groups()
    try:
        tz = timezone.utc
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[-2:])
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
        leap = second == "60"
        return datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            59 if leap else int(second or 0),
            0 if leap else int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=tz,
        ) + (_LEAP if leap else timedelta(0))
    except (ValueError, OverflowError):
        return None


T = TypeVar("T")


@attrs.frozen
class Conflict(Generic[T]):
    """Different results for one analyte at its newest instant: none of them can be preferred,
    so none is judged. ``when`` is that instant as the results gave it (several, joined by
    ``", "``, when they overlap without being one: a day and a time on it), or None: undated.
    """

    analyte: str
    when: str | None
    results: tuple[T, ...]
    values: tuple[str, ...]  # the distinct values, as text, at most a few

    @property
    def at(self) -> str:
        """When the results disagree, in words."""
        if not self.when:
            return "with no date to tell them apart"
        if ", " in self.when:  # several dates that overlap: a day and a time on it, say
            return f"at times that may be the same ({self.when})"
        return f"at the same time ({self.when})"

    def __str__(self) -> str:
        values = " and ".join(self.values)
        return f"{self.analyte} has different results ({values}) {self.at}; neither is judged"


@attrs.frozen
class Latest(Generic[T]):
    """What `latest()` chose: ``results``, the newest result per analyte (in the order the
    analytes first appear); ``superseded``, the older ones; ``conflicts``, the analytes whose
    newest results disagree (none of those is in ``results``)."""

    results: tuple[T, ...]
    superseded: tuple[T, ...]
    conflicts: tuple[Conflict[T], ...]


_SHOWN = 3  # a conflict names at most this many distinct values


class _When(NamedTuple):
    """When a result was taken, for ordering: an instant (``utc``, and ``wall``, its clock
    time as written), or a partial date (``wall`` to ``end``, a year, month or day)."""

    utc: datetime | None  # None: a partial date
    wall: datetime  # naive: the date and time as written, in its own zone
    end: datetime  # naive: the end of a partial date's period; ``wall`` for an instant


def _when(text: object) -> _When | None:
    """A ``when`` as an instant or a period; None when undated or unreadable."""
    instant = parse_when(text)
    if instant is None or not isinstance(text, str):
        return None
    wall = instant.replace(tzinfo=None)
    m = _DATE.match(text.strip())
    if m is None or m.group(4) is not None:  # a time of day: an instant
        return _When(instant.astimezone(timezone.utc), wall, wall)
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        if day is not None:
            end = wall + timedelta(days=1)
        elif month is not None:
            end = wall.replace(year=wall.year + (wall.month == 12), month=wall.month % 12 + 1)
        else:
            end = wall.replace(year=int(year) + 1)
    except (ValueError, OverflowError):  # the last day of year 9999
        end = datetime.max
    return _When(None, wall, end)


def newest(
    items: Iterable[T],
    *,
    analyte: Callable[[T], str],
    when: Callable[[T], str | None],
    same: Callable[[T], Hashable],
    text: Callable[[T], str],
    order: Callable[[T], str],
) -> Latest[T]:
    """The one newest-result policy, for any kind of result (the library's single copy).

    Per analyte, the newest result wins. Date-times are instants, compared with their time
    zones honoured. A partial date (``2024``, ``2024-06``, ``2024-06-01``) is a period, in the
    calendar of whoever wrote it: a result at an instant whose own date and time fall in that
    period, or a partial date that overlaps it, may be newer or older, so the two are newest
    together; an instant or period after its end is newer. An undated or unreadable ``when`` is
    older than any date. Several newest results that are ``same`` are one result (the least by
    ``order`` is kept, so the input's order never matters); different ones are a `Conflict`
    and none is kept. Linear in time and memory.
    """
    groups: dict[str, list[tuple[_When | None, T]]] = {}
    for item in items:
        groups.setdefault(analyte(item), []).append((_when(when(item)), item))
    kept: list[T] = []
    superseded: list[T] = []
    conflicts: list[Conflict[T]] = []
    for key, group in groups.items():
        top = _newest_of(group)
        distinct: dict[Hashable, T] = {}
        for _, item in top:
            distinct.setdefault(same(item), item)
        if len(distinct) == 1:
            best = min((item for _, item in top), key=order)
            kept.append(best)
            superseded.extend(item for _, item in group if item is not best)
            continue
        tops = {id(item) for _, item in top}
        superseded.extend(item for _, item in group if id(item) not in tops)
        values = sorted({text(item) for item in distinct.values()})
        shown = tuple(values[:_SHOWN])
        if len(values) > _SHOWN:
            shown += (f"{len(values) - _SHOWN} more",)
        whens = sorted({w for _, item in top if (w := when(item)) is not None})
        at = None if top[0][0] is None else ", ".join(whens[:_SHOWN])
        conflicts.append(Conflict(key, at, tuple(item for _, item in top), shown))
    return Latest(tuple(kept), tuple(superseded), tuple(conflicts))


def _newest_of(group: list[tuple[_When | None, T]]) -> Sequence[tuple[_When | None, T]]:
    """The results of one analyte that no other is known to follow: the instant(s) latest in
    time, and the partial dates that no result is known to follow, unless a partial date
    that starts after it follows it too. All the undated when none is dated."""
    dated = [(w, item) for w, item in group if w is not None]
    if not dated:
        return group
    instants = [w for w, _ in dated if w.utc is not None]
    partial_starts = [w.wall for w, _ in dated if w.utc is None]
    last_utc = max((w.utc for w in instants if w.utc is not None), default=None)
    last_wall = max((w.wall for w in instants), default=None)
    last_start = max(partial_starts, default=None)

    def followed(w: _When) -> bool:
        if w.utc is not None:  # an instant
            return w.utc != last_utc or (last_start is not None and last_start > w.wall)
        return (last_wall is not None and last_wall >= w.end) or (
            last_start is not None and last_start >= w.end
        )

    top = [(w, item) for w, item in dated if not followed(w)]
    return top or dated  # each followed by another (zones that contradict): all are newest


def latest(results: Iterable[LabResult]) -> Latest[LabResult]:
    """The newest result per analyte, and what counts as a conflict: the one policy that
    ``assess``, [`fhir.read()`][rlsnutrition.fhir.read] and the command line all use.

    Analytes are grouped by id (an alias or LOINC code names its analyte). Results at the same
    newest instant with the same value (compared in the analyte's default unit) are one; with
    different values they are a conflict and neither is kept. A partial date (``"2024-06"``)
    is a period: a result at a time within it, or a partial date overlapping it, is newest
    with it (see `newest()`).

    Examples:
        >>> import rlsnutrition as rn
        >>> got = rn.latest([
        ...     rn.LabResult("ferritin", 20, "ng/mL", when="2024-01-05"),
        ...     rn.LabResult("ferritin", 150, "ng/mL", when="2024-03-01T09:00:00Z"),
        ...     rn.LabResult("tsat", 18, when="2024-03-01"),
        ...     rn.LabResult("tsat", 40, when="2024-03-01"),
        ... ])
        >>> [(r.analyte, r.value) for r in got.results]
        [('ferritin', 150)]
        >>> print(got.conflicts[0])
        tsat has different results (18 % and 40 %) at the same time (2024-03-01); neither is judged

    Raises:
        UnknownAnalyteError, UnknownUnitError, InvalidLabValueError: a result that ``assess``
            would refuse.
    """
    from ._knowledge import knowledge
    from ._parse import find_analyte, judged_value

    k = knowledge()
    measured = []
    for r in results:
        if not isinstance(r, LabResult):
            raise TypeError(f"latest() takes LabResults, not {type(r).__name__}")
        a = find_analyte(r.analyte, k)
        measured.append((a.id, r, judged_value(a, r, k)))
    chosen = newest(
        measured,
        analyte=lambda m: m[0],
        when=lambda m: m[1].when,
        same=lambda m: (m[2].value, m[2].comparator),
        text=lambda m: f"{m[2].comparator or ''}{m[2].value:g} {m[2].unit}",
        order=lambda m: repr(m[1]),
    )
    return Latest(
        tuple(m[1] for m in chosen.results),
        tuple(m[1] for m in chosen.superseded),
        tuple(
            Conflict(c.analyte, c.when, tuple(m[1] for m in c.results), c.values)
            for c in chosen.conflicts
        ),
    )
