"""Turning what a caller passes to ``assess`` into measurements in each analyte's default unit.

Accepted per analyte: a number (read in the default unit), a string such as ``"45 ng/mL"``,
``"45"``, ``"45ng/ml"`` or ``"<5 ng/mL"``, a ``(value, unit)`` tuple, or a `LabResult`.
Anything else raises one of the documented errors, naming the input.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from numbers import Real
from typing import NoReturn

from ._knowledge import Knowledge, knowledge
from ._units import accepted, from_default, to_default, unit_spec
from .assessment import JudgedValue, _constructor
from .errors import InvalidLabValueError
from .errors import show as _show
from .labs import COMPARATORS, Censor, LabResult, comparator_of, newest, split_comparator
from .model import UNITS, Analyte, Units, UnitSpec

# A number, anchored where the text after any comparator starts: no part of the pattern can
# match the same characters two ways, so a match (or a failure) is linear in the text.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def find_analyte(key: object, k: Knowledge | None = None) -> Analyte:
    """The analyte a lab key names (id, alias or LOINC code)."""
    return (k or knowledge()).find_analyte(key)


def parse_number(analyte: Analyte, value: object) -> tuple[float, Censor | None, str | None]:
    """A number, its censoring, and the unit written after it (strings only)."""
    if type(value) is float:  # the common cases first, without ABC checks
        return value, None, None
    if type(value) is int and -_BIG < value < _BIG:
        return float(value), None, None
    if isinstance(value, str):
        cmp, rest = split_comparator(value.strip())
        m = _NUMBER.match(rest)
        if m is None:
            raise InvalidLabValueError(
                f"{analyte.id} value {_show(value)} cannot be read; expected a number with an "
                f"optional <, <=, > or >= and unit, such as '45 {analyte.default_unit}' or '<5'"
            )
        return float(m[0]), cmp, rest[m.end() :].strip() or None
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise InvalidLabValueError(
            f"{analyte.id} value {_show(value)} is not a number; give a number, a string such "
            f"as '45 {analyte.default_unit}' or '<5', a (value, unit) tuple, or a LabResult"
        )
    try:
        return float(value), None, None
    except OverflowError:
        raise InvalidLabValueError(
            f"{analyte.id} value {_show(value)} is too large to be a lab value"
        ) from None
    except (TypeError, ValueError):
        raise InvalidLabValueError(f"{analyte.id} value {_show(value)} is not a number") from None


_BIG = 2**1000  # ints this large and larger may not convert to float


def judged_value(
    analyte: Analyte, raw: object, k: Knowledge, units: Units = "conventional"
) -> JudgedValue:
    """One value read for ``analyte`` and converted to the default unit (a value without a
    unit is read in the analyte's default unit for ``units``), as the JudgedValue a finding
    reports: what ``assess`` reads. Its ``given_unit`` is always set (the value's scale), and
    the value as a rationale shows it is ``format(given_value, ".4g")``."""
    if type(raw) is str:
        found = _plain_text(analyte, raw, k, units)  # "45 ng/mL": the common case
        if found is not None:
            return found
    return _judged_other(analyte, raw, k, units)


def _judged_other(analyte: Analyte, raw: object, k: Knowledge, units: Units) -> JudgedValue:
    """`judged_value()` of anything `_plain_text` does not read (already tried on a string)."""
    if type(raw) is float and units == "conventional" and _within(raw, plausible_range(analyte, k)):
        raw += 0.0  # -0.0 is 0.0, as given and as shown
        return _judged(analyte.id, raw, analyte.default_unit, None, raw, analyte.default_unit, None)
    when: str | None = None
    cmp: Censor | None = None
    if type(raw) is str:
        number, cmp, unit = parse_number(analyte, raw)
    elif isinstance(raw, LabResult):
        number, cmp_in_text, text_unit = parse_number(analyte, raw.value)
        given_cmp = comparator_of(raw.comparator)
        if raw.comparator is not None and given_cmp is None:
            raise InvalidLabValueError(
                f"{analyte.id} comparator {_show(raw.comparator)} is not one of "
                f"{', '.join(COMPARATORS)}"
            )
        if raw.analyte != analyte.id and find_analyte(raw.analyte, k).id != analyte.id:
            raise InvalidLabValueError(
                f"{analyte.id} is given a LabResult for {_show(raw.analyte)}; a LabResult goes "
                "under its own analyte"
            )
        if given_cmp is not None and cmp_in_text is not None and given_cmp != cmp_in_text:
            raise InvalidLabValueError(
                f"{analyte.id} value {_show(raw.value)} and comparator {_show(raw.comparator)} "
                "disagree; give the comparator once"
            )
        if raw.unit is not None and text_unit is not None:
            raise InvalidLabValueError(
                f"{analyte.id} value {_show(raw.value)} carries a unit and unit= is given too; "
                "give the unit once"
            )
        cmp = given_cmp or cmp_in_text
        unit = raw.unit if raw.unit is not None else text_unit
        if raw.when is not None and not isinstance(raw.when, str):
            # a date given as a number or a datetime would be read as undated: refused
            raise InvalidLabValueError(
                f"{analyte.id} result's when is {_show(raw.when)}; expected an ISO 8601 date or "
                "date-time string (such as '2024-03-01') or None"
            )
        when = raw.when
    elif isinstance(raw, tuple):
        if len(raw) != 2:
            raise InvalidLabValueError(
                f"{analyte.id} value {_show(raw)} is a tuple of {len(raw)}; expected (value, unit)"
            )
        number, cmp, text_unit = parse_number(analyte, raw[0])
        if text_unit is not None and raw[1] is not None:
            raise InvalidLabValueError(
                f"{analyte.id} value {_show(raw)} gives a unit twice; expected (number, unit)"
            )
        unit = raw[1] if raw[1] is not None else text_unit
    else:
        number, cmp, unit = parse_number(analyte, raw)
    if not math.isfinite(number):
        raise InvalidLabValueError(f"{analyte.id} value {_show(raw)} is not a finite number")
    if number < 0:
        raise InvalidLabValueError(
            f"{analyte.id} value {_show(raw)} is negative; lab values are >= 0"
        )
    number += 0.0  # -0.0 is 0.0
    spec = _plan(analyte, unit, k, units)[5]
    value = to_default(number, spec)
    if not math.isfinite(value):
        raise InvalidLabValueError(
            f"{analyte.id} value {_show(raw)} is too large to be a lab value"
        )
    _check_plausible(analyte, raw, number, spec, value, k)
    return _judged(analyte.id, value, analyte.default_unit, cmp, number, spec.unit, when)


def _plain_text(analyte: Analyte, raw: str, k: Knowledge, units: Units) -> JudgedValue | None:
    """A plain, plausible "number unit" (digits with at most one decimal point, a space, the
    unit) read directly; None for anything else, which the general path reads (or refuses,
    naming the problem). Where this reads a value, the general path reads the same: the text
    before the first space is then exactly what `_NUMBER` matches (no sign, no exponent, no
    comparator; ``isdecimal`` is the Unicode digits ``\\d`` and ``float`` read)."""
    if not _PLAIN:
        return None
    # Text with a leading space or tab is left to the general path (it strips it).
    number_text, _, unit_text = raw.partition(" ")
    if not number_text.replace(".", "", 1).isdecimal():
        return None
    number = float(number_text)  # inf for too many digits: outside every plan's range below
    if _plans_k is not k:
        _reset_plans(k)
    plan = _plans.get((units, analyte.id, unit_text)) or _text_plan(
        analyte, unit_text, number, k, units
    )
    factor, floor, limit, scale, default, _ = plan
    value = number * factor  # to_default()
    if not floor <= value <= limit:  # (and not infinite: limit is finite)
        return None
    return _judged(analyte.id, value, default, None, number, scale, None)


_PLAIN = True  # whether plain text is read directly (tests turn it off to compare)


def _text_plan(
    analyte: Analyte, unit_text: str, number: float, k: Knowledge, units: Units
) -> _Plan:
    """The plan for the unit text after a plain number, as written: remembered under that
    text too (a unit such as "ng/mL" is its own key, one written with spaces or none is not).
    For a number too long for a float, a plan no value fits, so that the general path refuses
    it as not finite before it reads the unit, as it does any other infinite number."""
    if number == math.inf:
        return (1.0, 1.0, 0.0, analyte.default_unit, analyte.default_unit, analyte.units[0])
    plan = _plan(analyte, unit_text.strip() or None, k, units)
    if len(unit_text) <= _MEMO_TEXT:
        _remember(plan, (units, analyte.id, unit_text))
    return plan


_judged = _constructor(JudgedValue)

# What reading a value for an analyte in a unit needs, in one dict hit per (units, analyte,
# unit text): the unit's factor to the default unit, the analyte's plausible floor and limit
# in the default unit, the unit's accepted spelling, the default unit, and the unit's spec.
# Bounded, for the few short unit spellings labs write.
_Plan = tuple[float, float, float, str, str, UnitSpec]
_plans: dict[tuple[str, str, object], _Plan] = {}
_plans_k: Knowledge | None = None


def _reset_plans(k: Knowledge) -> None:
    global _plans_k
    _plans.clear()
    _plans_k = k


def _plan(analyte: Analyte, unit: object, k: Knowledge, units: Units) -> _Plan:
    """The plan for reading ``analyte`` in ``unit`` (None: the default unit for ``units``);
    raises for a unit the analyte does not accept."""
    if _plans_k is not k:
        _reset_plans(k)
    memo = unit is None or (type(unit) is str and len(unit) <= _MEMO_TEXT)
    key = (units, analyte.id, unit)
    plan = _plans.get(key) if memo else None
    if plan is None:
        spec = unit_spec(analyte, unit, k, units)
        floor, limit = plausible_range(analyte, k)
        # The limit is finite, so that no infinite value is in range.
        limit = min(limit, sys.float_info.max)
        plan = (spec.factor, floor, limit, spec.unit, analyte.default_unit, spec)
        if memo:
            _remember(plan, key)
    return plan


def _remember(plan: _Plan, key: tuple[str, str, object]) -> None:
    """Keep ``plan`` under ``key`` in the bounded plan memo (emptied when full)."""
    if len(_plans) >= _MEMO_SIZE:
        _plans.clear()
    _plans[key] = plan


def plausible_range(analyte: Analyte, k: Knowledge) -> tuple[float, float]:
    """The values in the default unit that need no plausibility message: from the lower
    plausibility bound (0 where the data sets none) to the lower of the upper bound by
    definition (TSAT's 100 %) and the plausibility limit (the largest float where neither)."""
    return _ranges_for(k).get(analyte.id, _NO_BOUNDS)


_NO_BOUNDS = (0.0, sys.float_info.max)


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _ranges_for(k: Knowledge) -> dict[str, tuple[float, float]]:
    """`plausible_range` of every analyte with a bound, computed once per loaded knowledge."""
    global _ranges, _ranges_k
    if _ranges_k is not k:
        ranges: dict[str, tuple[float, float]] = {}
        for a in k.analytes:
            p = a.plausibility
            floor = 0.0
            bounds = [a.max_plausible] if a.max_plausible is not None else []
            if p is not None:
                spec = unit_spec(a, p.unit, k)
                bounds.append(to_default(p.max, spec))
                if p.min is not None:
                    floor = to_default(p.min, spec)
            if bounds or floor:
                ranges[a.id] = (floor, min(bounds) if bounds else sys.float_info.max)
        _ranges, _ranges_k = ranges, k
    return _ranges


_ranges: dict[str, tuple[float, float]] = {}
_ranges_k: Knowledge | None = None


def _check_plausible(
    analyte: Analyte, raw: object, number: float, spec: UnitSpec, value: float, k: Knowledge
) -> None:
    """Refuse a value that cannot be real in the unit it is read in, naming the accepted unit
    it most likely was in: the one closest in size below that unit in which it is plausible."""
    floor, limit = plausible_range(analyte, k)
    if value < floor:
        _refuse_below(analyte, raw, number, spec, floor, limit)
    if value <= limit:
        return
    bound = f"{from_default(limit, spec):.12g} {spec.unit}"
    if analyte.max_plausible is not None and value > analyte.max_plausible:
        raise InvalidLabValueError(f"{analyte.id} value {_show(raw)} is impossible: above {bound}")
    fits = [u for u in analyte.units if u.factor < spec.factor and to_default(number, u) <= limit]
    if fits:
        likely = max(fits, key=lambda u: u.factor)
        hint = f"it was most likely in {likely.unit} ({number:g} {likely.unit} is plausible)"
    else:
        hint = f"no unit {analyte.id} accepts makes it plausible ({accepted(analyte)})"
    raise InvalidLabValueError(
        f"{analyte.id} value {_show(raw)} is impossible in {spec.unit} (above {bound}); {hint}"
    )


def _refuse_below(
    analyte: Analyte, raw: object, number: float, spec: UnitSpec, floor: float, limit: float
) -> NoReturn:
    """Refuse a value too small to be real in its unit, naming the larger accepted unit(s)
    in which it is plausible, or what the data says such a value most likely was."""
    fits = [
        u
        for u in analyte.units
        if u.factor > spec.factor and floor <= to_default(number, u) <= limit
    ]
    plausibility = analyte.plausibility
    assert plausibility is not None
    if fits:
        hint = f"it was most likely in {' or '.join(u.unit for u in fits)}"
    elif plausibility.below_min is not None:
        hint = f"it was most likely {plausibility.below_min}"
    else:
        hint = f"no unit {analyte.id} accepts makes it plausible ({accepted(analyte)})"
    bound = f"{from_default(floor, spec):.12g} {spec.unit}"
    raise InvalidLabValueError(
        f"{analyte.id} value {_show(raw)} is impossible in {spec.unit} (below {bound}); {hint}"
    )


def read_labs(labs: object, k: Knowledge, units: Units = "conventional") -> dict[str, JudgedValue]:
    """Every lab in ``labs`` (a mapping or an iterable of LabResults), one per analyte, as
    `judged_value()` reads it."""
    pairs: Iterable[tuple[object, object]]
    if type(labs) is dict:  # the common case, without the ABC checks below
        pairs = labs.items()
    else:
        # What rlsnutrition.fhir.read returns carries its LabResults in `.results`.
        results = labs if isinstance(labs, Mapping) else getattr(labs, "results", labs)
        if isinstance(results, Mapping):
            pairs = results.items()
        elif isinstance(results, (str, bytes)) or not isinstance(results, Iterable):
            raise TypeError(
                "assess() takes a mapping of analyte to value, an iterable of LabResult, or "
                f"what rlsnutrition.fhir.read returns, not {type(labs).__name__}"
            )
        else:
            pairs = (_as_pair(item) for item in results)
    global _memo_for
    if _memo_for is not k:
        for memos in _memo.values():
            memos.clear()
        _memo_for = k
    if _plans_k is not k:
        _reset_plans(k)
    out: dict[str, JudgedValue] = {}
    repeated: dict[str, list[JudgedValue]] | None = None  # analytes given more than once
    index = k.analyte_index
    memos = _memo[units]
    plans = _plans
    plain = _PLAIN
    resting = _RESTING
    clock = _clock[units]
    clock[0] += 1
    if 0 < clock[1] <= clock[0]:  # resting memos wake (and start afresh)
        clock[1] = 0
        for analyte_id in [a for a, memo in memos.items() if memo is _RESTING]:
            memos.pop(analyte_id, None)
    for key, raw in pairs:
        analyte = index.get(key) if type(key) is str else None
        if analyte is None:
            analyte = find_analyte(key, k)
        aid = analyte.id
        memo = memos.get(aid)
        memo_key = m = None
        if memo is not resting:
            if memo is None:
                memo = memos[aid] = {}
            # The common case, a short string, is its own key (as _memo_key says).
            memo_key = (
                (raw if len(raw) <= _MEMO_TEXT else None) if type(raw) is str else _memo_key(raw)
            )
            if memo_key is not None:
                m = memo.get(memo_key)
        if m is None or m is _ONCE:
            once = m is None
            m = None
            if type(raw) is str and plain:  # _plain_text(), inlined: the hot path
                number_text, _, unit_text = raw.partition(" ")
                if number_text.replace(".", "", 1).isdecimal():
                    number = float(number_text)
                    plan = plans.get((units, aid, unit_text)) or _text_plan(
                        analyte, unit_text, number, k, units
                    )
                    value = number * plan[0]
                    if plan[1] <= value <= plan[2]:
                        m = _judged(aid, value, plan[4], None, number, plan[3], None)
            if m is None:
                m = _judged_other(analyte, raw, k, units)
            if memo_key is not None:
                if len(memo) >= _MEMO_SIZE:
                    _renew(memos, aid, memo, clock)
                memo[memo_key] = _ONCE if once else m
        if aid not in out:
            out[aid] = m
        elif out[aid] is not m:
            if repeated is None:
                repeated = {}
            repeated.setdefault(aid, [out[aid]]).append(m)
    if repeated is not None:
        for results in repeated.values():
            out.update((m.analyte, m) for m in _newest(results))
    return out


# Reading a value is pure, and panels repeat the same few spellings: short plain values
# (strings, ints, (number-or-string, unit) tuples) are remembered per units and analyte in
# bounded dicts. Floats are read directly (it is as fast as a lookup). Keys hold their exact
# type, so 1, 1.0 and True never share an entry, and no key is longer than _MEMO_TEXT
# characters, so the memo stays small whatever callers send.
#
# A value is remembered the second time it is read; the first time, only that its key was
# read (_ONCE). Where values do not repeat (values computed by a program, every digit kept),
# remembering each would give the garbage collector more objects to walk until the memo is
# emptied, which costs more than reading the values afresh.
#
# Even the marks cost more than they save where few values recur (every panel a different
# person's): a memo that fills up with fewer than a quarter of its values read twice rests,
# neither read nor written, for the next _MEMO_REST panels read in its units, then starts
# afresh. (Reading a value again from the memo saves about three times what marking it costs.)
_MEMO_SIZE = 1_024  # entries per analyte and units
_MEMO_TEXT = 64
_MEMO_REST = 16 * _MEMO_SIZE  # panels
_ONCE: JudgedValue = _judged("", 0.0, "", None, None, None, None)  # a key read once
_RESTING: dict[object, JudgedValue] = {}  # the memo of an analyte at rest: never written
_memo: dict[str, dict[str, dict[object, JudgedValue]]] = {units: {} for units in UNITS}
_memo_for: Knowledge | None = None
# Per units: the panels read, and the count at which resting memos wake (0: none rests).
_clock: dict[str, list[int]] = {units: [0, 0] for units in UNITS}


def _renew(
    memos: dict[str, dict[object, JudgedValue]],
    analyte_id: str,
    memo: dict[object, JudgedValue],
    clock: list[int],
) -> None:
    """Empty a full memo; put it to rest when fewer than a quarter of its values were read
    twice."""
    twice = sum(1 for m in memo.values() if m is not _ONCE)
    memo.clear()
    if twice < _MEMO_SIZE // 4:
        memos[analyte_id] = _RESTING
        if not clock[1]:  # (no wake pending)
            clock[1] = clock[0] + _MEMO_REST


def _memo_key(raw: object) -> object:
    """The memo key of a short plain value (among its analyte's); None for anything else."""
    kind = type(raw)
    if kind is str and isinstance(raw, str):
        return raw if len(raw) <= _MEMO_TEXT else None
    if kind is int:
        return int, raw
    if kind is tuple and isinstance(raw, tuple) and len(raw) == 2:
        value: object = raw[0]
        unit: object = raw[1]
        if (
            type(value) in (str, int, float)
            and (unit is None or type(unit) is str)
            and len(value if isinstance(value, str) else "") + len(str(unit or "")) <= _MEMO_TEXT
        ):
            return tuple, type(value), value, unit
    return None


def _as_pair(item: object) -> tuple[object, object]:
    if isinstance(item, LabResult):
        return item.analyte, item
    raise InvalidLabValueError(
        f"lab {_show(item)} is not a LabResult; an iterable given to assess() must hold LabResults"
    )


def _newest(results: list[JudgedValue]) -> tuple[JudgedValue, ...]:
    """The newest of several results for one analyte, by the library's one policy
    (`newest()`); different values at the newest instant are refused."""
    chosen = newest(
        results,
        analyte=lambda m: m.analyte,
        when=lambda m: m.when,
        same=lambda m: (m.value, m.comparator),
        text=lambda m: f"{_as_given(m)} {m.unit}",
        order=lambda m: f"{m.when or ''}|{m.given_unit}|{m.given_value:.4g}",
    )
    for c in chosen.conflicts:
        times = "twice" if len(c.results) == 2 else f"{len(c.results)} times"
        raise InvalidLabValueError(
            f"{c.analyte} is given {times} with different values ({' and '.join(c.values)}) "
            f"{c.at}; give each analyte once, or the newest only"
        )
    return chosen.results


def _as_given(m: JudgedValue) -> str:
    return f"{m.comparator or ''}{m.value:g}"


def derive_tsat(labs: dict[str, JudgedValue], k: Knowledge) -> bool:
    """Add a transferrin saturation derived as serum iron / TIBC x 100 to ``labs`` when none
    was reported and both are (uncensored); a reported TSAT always wins. Whether one was
    derived. Serum iron above TIBC is refused: TSAT cannot be above 100 %."""
    if "tsat" in labs:
        return False
    iron, tibc = labs.get("serum_iron"), labs.get("tibc")
    if iron is None or tibc is None or iron.comparator or tibc.comparator:
        return False
    if tibc.value <= 0 or iron.value > tibc.value:
        raise InvalidLabValueError(
            f"serum_iron {iron.given_value:.4g} {iron.given_unit} and tibc {tibc.given_value:.4g} "
            f"{tibc.given_unit} give no "
            "transferrin saturation (serum iron / TIBC x 100 must be 0-100 %): check both values"
        )
    value = iron.value / tibc.value * 100
    when = iron.when if iron.when == tibc.when else None
    labs["tsat"] = _judged(
        "tsat", value, k.analyte_index["tsat"].default_unit, None, value, "%", when
    )
    return True
