"""Assess a pandas DataFrame of lab results, one row per person: ``assess_frame``.

Needs the ``pandas`` extra (``pip install 'rlsnutrition[pandas]'``); the same function serves
a Dask DataFrame through ``ddf.map_partitions(assess_frame)`` (the ``dask`` extra).

Every row is judged exactly as [`assess()`][rlsnutrition.assess] judges it, by ``assess`` itself:
the rules read a value only by where it falls among its analyte's cut points (on the scale it
was given on), so rows whose values fall in the same places, in the same context, share one
verdict. ``assess_frame`` reads each column once, converts it to the analyte's default unit
in one pass, finds where each value falls with one ``searchsorted`` per scale, and asks
``assess`` once per distinct combination of places, per nutrient. It never judges a value
itself, and returns only what does not depend on the exact value within its place: statuses,
action codes, warning codes and the tests worth doing next (no rationales).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Sequence
from typing import Any

try:
    import numpy as np
    import pandas as pd
    from pandas.api.types import infer_dtype, is_bool_dtype, is_numeric_dtype
except ImportError as exc:  # pragma: no cover - the extra is part of the test extra
    raise ImportError(
        "rlsnutrition.frame needs pandas: pip install 'rlsnutrition[pandas]'"
    ) from exc

from . import (
    Context,
    Finding,
    RLSNutritionError,
    Units,
    assess,
    context_key,
    cut_points,
    judged_by,
    lookup_analyte,
    lookup_unit,
    missing_tests,
    nutrients,
    plausible_range,
    read_value,
)
from .errors import InvalidArgumentError, UnknownAnalyteError, show
from .model import Analyte, UnitSpec

__all__ = ["CONTEXT_COLUMNS", "assess_frame"]

CONTEXT_COLUMNS = ("sex", "age", "pregnant", "kidney_disease", "dialysis")
"""Columns read as each row's [`Context`][rlsnutrition.Context] (any may be absent)."""

# One match per line: digits, one space or more, and a unit (the plain way labs write a
# value), else anything (left to the library's reader: a sign, a comparator, no unit, ...).
_PLAIN = re.compile(r"^(?:(\d+(?:\.\d*)?|\.\d+) +(\S[^\n]*?)|[^\n]*)$", re.M | re.ASCII)

_ABSENT = -1
_CENSORED = 1 << 40  # codes of censored values start here, one per distinct (value, sign, scale)
_SCALE_SPAN = 1 << 16  # position codes: scale index * _SCALE_SPAN + place among the cut points

# What each part of an assessment reads: a finding reads the analytes it is judged by
# (``judged_by``) and the facts of the context ``context_key(part="findings")`` names; the
# warnings read these analytes and the facts ``context_key(part="warnings")`` names. (The
# row-by-row property test in tests/test_frame.py holds the frame to ``assess``.)
_WARNING_INPUTS = ("crp", "ferritin", "hemoglobin")


def _verdict_flags(ctx: Context) -> Hashable:
    return context_key(ctx, part="findings")


def _warning_flags(ctx: Context) -> Hashable:
    return context_key(ctx, part="warnings")


def assess_frame(
    df: pd.DataFrame,
    *,
    units: Units = "conventional",
    context: Context | None = None,
) -> pd.DataFrame:
    """Judge every row of ``df`` as [`assess()`][rlsnutrition.assess] would, in bulk.

    Columns named by an analyte key (an id, alias or LOINC code, as ``assess`` takes them)
    are read as labs: a number (in the analyte's default unit for ``units``), a string such as
    ``"45 ug/L"`` or ``"<5"``; NaN or None means not measured. Columns ``sex``, ``age``,
    ``pregnant``, ``kidney_disease`` and ``dialysis`` are read as the row's context (numpy
    integers and booleans welcome; NaN means unknown, a whole-number float age such as 52.0 is
    52), over ``context`` (default: ``Context()``). Other columns are left alone.

    Returns a DataFrame on the same index with, per nutrient, ``<nutrient>_status`` (the status
    value) and ``<nutrient>_actions`` (action codes joined by ``;``), then ``missing_tests``
    and ``warnings`` (codes joined by ``;``) and ``error``: None, or the message of the error
    ``assess`` raises for that row (whose other columns are then None).

    Examples:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"ferritin": [45, 150, None], "tsat": [18, 30, 25], "age": [40, 50, 9]})
        >>> out = assess_frame(df)
        >>> out["iron_status"].tolist()
        ['low', 'adequate', 'indeterminate']
        >>> out.loc[0, "iron_actions"]
        'consider-oral-iron;consider-iv-iron;see-clinician'
        >>> out.loc[2, "warnings"], out.loc[2, "error"]
        ('adult-thresholds', None)

    Raises:
        TypeError: ``df`` is not a pandas DataFrame, or ``context`` is not a Context.
        InvalidArgumentError: ``units`` is not "conventional" or "si", or two columns name the
            same analyte.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"assess_frame() takes a pandas DataFrame, not {type(df).__name__}")
    if context is not None and not isinstance(context, Context):
        raise TypeError(f"context must be a rlsnutrition.Context, not {type(context).__name__}")
    assess({}, units=units)  # refuses units outside "conventional" and "si", as assess does
    return _Frame(df, units, context or Context()).result()


class _Column:
    """One analyte column, read once: for each row, where its value falls (a code), or the
    error ``assess`` raises for it."""

    def __init__(self, analyte: Analyte, cells: pd.Series, units: Units) -> None:
        self.analyte = analyte
        n = len(cells)
        self.code = np.full(n, _ABSENT, dtype=np.int64)
        self.errors: dict[int, str] = {}
        self.scales = [spec.unit for spec in analyte.units]
        self.units = units
        self.value = np.zeros(n)
        self.scale = np.full(n, -1, dtype=np.int64)
        self.censored: dict[tuple[object, ...], int] = {}
        self.specs: dict[str, UnitSpec | None] = {}  # unit as written -> accepted unit
        self.floor, self.limit = plausible_range(analyte)
        if is_numeric_dtype(cells.dtype) and not is_bool_dtype(cells.dtype):
            number = cells.to_numpy(dtype=float, na_value=np.nan)
            self.raw: np.ndarray[Any, Any] = number
            given = ~np.isnan(number)
            spec = lookup_unit(analyte, units=units)
            with np.errstate(over="ignore", invalid="ignore"):
                converted: np.ndarray[Any, Any] = number * spec.factor  # as convert() does
            # The numbers the library's reader surely takes as they are, in one pass; every
            # other number goes through the reader itself, which says what is wrong with it.
            plain = given & (number >= 0) & (converted >= self.floor) & (converted <= self.limit)
            self.value[plain] = converted[plain] + 0.0
            self.scale[plain] = self.scales.index(spec.unit)
            odd = np.flatnonzero(given & ~plain)
            self.read(odd.tolist(), [float(x) for x in number[odd]])
        else:
            self.raw = cells.to_numpy(dtype=object)
            rows = np.flatnonzero(~pd.isna(self.raw))
            given = self.raw[rows]
            if infer_dtype(given, skipna=False) == "string":  # strings only: each distinct once
                codes, distinct = pd.factorize(given)
                value, scale = self.read_plain_strings(distinct.tolist())
                plain = scale[codes] >= 0
                self.value[rows[plain]] = value[codes[plain]]
                self.scale[rows[plain]] = scale[codes[plain]]
                rows = rows[~plain]
            self.read(rows.tolist(), self.raw[rows].tolist())
        for i, unit in enumerate(self.scales):
            at = np.flatnonzero(self.scale == i)
            if len(at):
                cuts = np.asarray(cut_points(analyte, unit))
                v = self.value[at]
                place = np.searchsorted(cuts, v, "left") + np.searchsorted(cuts, v, "right")
                self.code[at] = i * _SCALE_SPAN + place

    def read_plain_strings(
        self, cells: list[str]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Read, all at once, the cells written as labs write most ("45 ng/mL": digits, a
        space, an accepted unit) whose value is surely in bounds: the value and scale of each,
        or scale -1 for one left to the library's own reader."""
        fails = np.zeros(len(cells)), np.full(len(cells), -1, dtype=np.int64)
        if any("\n" in c for c in cells):
            return fails
        found = _PLAIN.findall("\n".join(cells))
        if len(found) != len(cells):  # cannot happen (one match per line); read one by one
            return fails
        numbers = np.array([n or "nan" for n, _ in found], dtype=float)
        unit_codes, units = pd.factorize(np.array([u for _, u in found], dtype=object))
        specs = [self.spec(u) if u == u.strip() else None for u in units]
        factor = np.array([s.factor if s is not None else np.nan for s in specs])[unit_codes]
        scale = np.array([self.scales.index(s.unit) if s else -1 for s in specs])[unit_codes]
        converted = numbers * factor
        plain = (converted >= self.floor) & (converted <= self.limit) & (scale >= 0)  # not NaN
        return np.where(plain, converted + 0.0, 0.0), np.where(plain, scale, -1)

    def read(self, rows: list[int], raws: list[object]) -> None:
        """Read cells one by one, each distinct one once."""
        memo: dict[tuple[type, object], tuple[float, int, int] | str] = {}
        value, scale, code = self.value, self.scale, self.code
        for row, raw in zip(rows, raws, strict=True):
            key = (raw.__class__, raw)
            found = memo.get(key)
            if found is None:
                found = memo[key] = self.read_one(raw)
            if isinstance(found, str):
                self.errors[row] = found
            elif found[2] != _ABSENT:
                code[row] = found[2]
            else:
                value[row], scale[row] = found[0], found[1]

    def read_one(self, raw: object) -> tuple[float, int, int] | str:
        """The value and scale of one cell (or its censored code), else its error message.

        The plain spelling labs write most ("45 ng/mL": digits, a space, a unit) is read here;
        anything else, and anything out of bounds, through the library's own reader.
        """
        if type(raw) is str:
            number, _, unit = raw.strip().partition(" ")
            digits = number.replace(".", "", 1)
            if digits.isascii() and digits.isdigit():
                spec = self.spec(unit.strip())
                if spec is not None:
                    converted = float(number) * spec.factor  # as convert() does
                    if self.floor <= converted <= self.limit:
                        return converted, self.scales.index(spec.unit), _ABSENT
        try:
            m = read_value(self.analyte, raw, units=self.units)
        except RLSNutritionError as exc:
            return str(exc)
        if m.comparator is None:
            return m.value, self.scales.index(m.given_unit or ""), _ABSENT
        sign = (m.comparator, m.value, m.given_unit)
        return 0.0, -1, self.censored.setdefault(sign, _CENSORED + len(self.censored))

    def spec(self, unit: str) -> UnitSpec | None:
        """The accepted unit a unit as written names, or None (the reader will say why)."""
        if unit not in self.specs:
            try:
                self.specs[unit] = lookup_unit(self.analyte, unit, units=self.units)
            except RLSNutritionError:
                self.specs[unit] = None
        return self.specs[unit]

    def cell(self, row: int) -> object:
        """The cell as the frame holds it, as a plain Python value."""
        x = self.raw[row]
        return x.item() if isinstance(x, np.generic) else x


def _missing(x: object) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


class _Frame:
    def __init__(self, df: pd.DataFrame, units: Units, base: Context) -> None:
        self.df = df
        self.units = units
        self.n = n = len(df)
        self.columns: dict[str, _Column] = {}
        named: dict[str, str] = {}
        for name in df.columns:
            if not isinstance(name, str) or name in CONTEXT_COLUMNS:
                continue
            try:
                analyte = lookup_analyte(name)
            except UnknownAnalyteError:
                continue  # not a lab: left alone
            if analyte.id in named:
                raise InvalidArgumentError(
                    f"columns {show(named[analyte.id])} and {show(name)} both name "
                    f"{analyte.id}; give each analyte one column"
                )
            named[analyte.id] = name
            self.columns[analyte.id] = _Column(analyte, df[name], units)
        self.order = list(named)  # column order: the order assess reads a row's labs in
        self.contexts, self.context_of, context_errors = _contexts(df, base)
        self.error: list[str | None] = [None] * n
        for row, message in context_errors.items():
            self.error[row] = message
        for aid in self.order:
            for row, message in self.columns[aid].errors.items():
                if self.error[row] is None:
                    self.error[row] = message
        self.good = np.array([e is None for e in self.error], dtype=bool)
        self.derived = self.derived_tsat()

    def derived_tsat(self) -> np.ndarray[Any, Any]:
        """Per row, where assess derives TSAT (serum iron / TIBC x 100, no TSAT given), its
        place among TSAT's cut points, else _ABSENT; a row whose pair gives no TSAT gets the
        error assess gives it."""
        code = np.full(self.n, _ABSENT, dtype=np.int64)
        iron, tibc = self.columns.get("serum_iron"), self.columns.get("tibc")
        if iron is None or tibc is None:
            return code
        rows = self.good & (iron.scale >= 0) & (tibc.scale >= 0)
        if "tsat" in self.columns:
            rows &= self.columns["tsat"].code == _ABSENT
        bad = rows & ((tibc.value <= 0) | (iron.value > tibc.value))
        for row in np.flatnonzero(bad).tolist():
            try:
                assess(self.labs(row, self.order), units=self.units)
            except RLSNutritionError as exc:
                self.error[row] = str(exc)
        self.good &= ~bad
        ok = rows & ~bad
        cuts = np.asarray(cut_points("tsat", "%"))
        tsat = iron.value[ok] / tibc.value[ok] * 100
        code[ok] = np.searchsorted(cuts, tsat, "left") + np.searchsorted(cuts, tsat, "right")
        return code

    def codes(self, analytes: Sequence[str]) -> list[np.ndarray[Any, Any]]:
        absent = np.full(self.n, _ABSENT, dtype=np.int64)
        return [self.columns[a].code if a in self.columns else absent for a in analytes]

    def labs(self, row: int, analytes: Sequence[str]) -> dict[str, object]:
        """The row's labs among ``analytes``, as its cells hold them (column order)."""
        return {
            a: self.columns[a].cell(row)
            for a in self.order
            if a in analytes and self.columns[a].code[row] != _ABSENT
        }

    def groups(self, keys: list[np.ndarray[Any, Any]]) -> tuple[np.ndarray[Any, Any], list[int]]:
        """For every row, the number of its distinct combination of ``keys`` (-1 for rows in
        error), and the first row of each combination."""
        combined = np.where(self.good, 0, -1).astype(np.int64)
        size = 1
        for key in keys:
            codes, values = pd.factorize(key)
            if size * len(values) >= 1 << 62:  # renumber before the product overflows
                at = np.flatnonzero(combined >= 0)
                combined[at], seen = pd.factorize(combined[at])
                size = len(seen)
            combined = np.where(combined < 0, -1, combined * len(values) + codes)
            size *= max(len(values), 1)
        good = np.flatnonzero(combined >= 0)
        group = np.full(self.n, -1, dtype=np.int64)
        group[good], uniques = pd.factorize(combined[good])
        first = np.empty(len(uniques), dtype=np.int64)
        first[group[good[::-1]]] = good[::-1]  # written last to first: each keeps its first row
        return group, first.tolist()

    def spread(self, group: np.ndarray[Any, Any], answers: list[object]) -> np.ndarray[Any, Any]:
        """Each good row's answer (its group's), None for rows in error."""
        out = np.full(self.n, None, dtype=object)
        if answers:
            table = np.empty(len(answers) + 1, dtype=object)
            table[:-1] = answers
            table[-1] = None
            out[:] = table[group]  # group -1 picks the trailing None
        return out

    def result(self) -> pd.DataFrame:
        ctx_code = self.context_of
        verdict_code = _factorized(ctx_code, self.contexts, _verdict_flags)
        warning_code = _factorized(ctx_code, self.contexts, _warning_flags)
        data: dict[str, np.ndarray[Any, Any]] = {}
        findings: list[tuple[np.ndarray[Any, Any], list[Finding]]] = []
        outcomes = []
        for n in nutrients():
            judged = judged_by(n)
            derived = [self.derived] if n.id == "iron" else []
            group, first = self.groups([verdict_code, *self.codes(judged), *derived])
            if derived:
                judged = (*judged, "serum_iron", "tibc")  # read only for the derived TSAT
            found = [
                assess(
                    self.labs(row, judged), context=self.contexts[ctx_code[row]], units=self.units
                ).finding(n.id)
                for row in first
            ]
            findings.append((group, found))
            status = [f.status.value for f in found]
            actions = [";".join(f.action_codes()) for f in found]
            data[f"{n.id}_status"] = self.spread(group, status)  # type: ignore[arg-type]
            data[f"{n.id}_actions"] = self.spread(group, actions)  # type: ignore[arg-type]
            outcome = pd.factorize(
                np.array([f"{s}|{a}" for s, a in zip(status, actions, strict=True)])
            )
            outcomes.append(np.append(outcome[0], -1)[group])  # group -1 picks the trailing -1

        # The tests worth doing next read only which labs were given (a derived TSAT counts)
        # and each finding's status and actions.
        present = [(c.code != _ABSENT).astype(np.int64) for c in self.columns.values()]
        present.append((self.derived != _ABSENT).astype(np.int64))
        group, first = self.groups([*present, *outcomes])
        missing = []
        for row in first:
            given = [a for a in self.order if self.columns[a].code[row] != _ABSENT]
            if self.derived[row] != _ABSENT:
                given.append("tsat")  # derived, as assess does
            row_findings = [found[g[row]] for g, found in findings]
            missing.append(";".join(missing_tests(given, row_findings)))
        data["missing_tests"] = self.spread(group, missing)  # type: ignore[arg-type]

        group, first = self.groups([warning_code, *self.codes(_WARNING_INPUTS)])
        warned = [
            ";".join(
                w.code
                for w in assess(
                    self.labs(row, _WARNING_INPUTS),
                    context=self.contexts[ctx_code[row]],
                    units=self.units,
                ).warnings
            )
            for row in first
        ]
        data["warnings"] = self.spread(group, warned)  # type: ignore[arg-type]
        data["error"] = np.array(self.error, dtype=object)
        return pd.DataFrame(data, index=self.df.index, dtype=object)


def _factorized(
    ctx_code: np.ndarray[Any, Any], contexts: list[Context], key: Callable[[Context], Hashable]
) -> np.ndarray[Any, Any]:
    """Per row, a code for ``key`` of its context (-1 where the context is in error)."""
    ids: dict[Hashable, int] = {}
    per_context = np.array([ids.setdefault(key(c), len(ids)) for c in contexts] + [-1])
    codes: np.ndarray[Any, Any] = per_context[ctx_code]  # ctx_code -1 picks the trailing -1
    return codes


def _contexts(
    df: pd.DataFrame, base: Context
) -> tuple[list[Context], np.ndarray[Any, Any], dict[int, str]]:
    """Each row's Context: the distinct ones, the index of each row's, and rows in error."""
    n = len(df)
    present = [c for c in CONTEXT_COLUMNS if c in df.columns]
    if not present:
        return [base], np.zeros(n, dtype=np.int64), {}
    columns = [df[c].to_numpy(dtype=object) for c in present]
    contexts: list[Context] = []
    seen: dict[tuple[object, ...], int | str] = {}  # the cells -> a context's index, or error
    errors: dict[int, str] = {}
    code = np.empty(n, dtype=np.int64)
    for row in range(n):
        cells = tuple(_context_cell(col[row]) for col in columns)
        key = tuple((c.__class__, c) for c in cells)
        found = seen.get(key)
        if found is None:
            given = zip(present, cells, strict=True)
            try:
                contexts.append(_evolve(base, {f: c for f, c in given if c is not _UNKNOWN}))
                found = len(contexts) - 1
            except (RLSNutritionError, TypeError) as exc:
                found = str(exc)
            seen[key] = found
        if isinstance(found, str):
            errors[row] = found
            code[row] = -1
        else:
            code[row] = found
    return contexts, code, errors


_UNKNOWN = object()


def _context_cell(x: object) -> object:
    if _missing(x):
        return _UNKNOWN
    if isinstance(x, float) and x.is_integer():
        return int(x)  # an age column with gaps is float in pandas: 52.0 is 52
    return x


def _evolve(base: Context, fields: dict[str, object]) -> Context:
    import attrs

    return attrs.evolve(base, **fields)  # type: ignore[arg-type]
