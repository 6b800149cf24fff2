"""Properties of ``assess`` that the docs promise, checked with hypothesis."""

from __future__ import annotations

import math
import pickle
import random
import sys
from typing import Any

import attrs
import pytest
from conftest import plausible_floor
from hypothesis import assume, example, given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition._knowledge import knowledge
from rlsnutrition._normalize import normalize_unit

K = knowledge()
ANALYTES = {a.id: a for a in K.analytes}
NUTRIENT_OF = {
    "ferritin": "iron",
    "tsat": "iron",
    "vitamin_b12": "vitamin_b12",
    "vitamin_d": "vitamin_d",
    "folate": "folate",
    "rbc_folate": "folate",
    "magnesium": "magnesium",
    "plp": "vitamin_b6",
}
RANK = {rn.Status.DEFICIENT: 0, rn.Status.LOW: 1, rn.Status.ADEQUATE: 2, rn.Status.HIGH: 3}
# Value ranges, in default units, wide enough to cross every threshold of each analyte.
SPAN = {
    "ferritin": 1000.0,
    "tsat": 100.0,
    "serum_iron": 400.0,
    "tibc": 600.0,
    "hemoglobin": 25.0,
    "crp": 50.0,
    "vitamin_b12": 2000.0,
    "mma": 3.0,
    "homocysteine": 60.0,
    "vitamin_d": 150.0,
    "folate": 40.0,
    "rbc_folate": 1500.0,
    "magnesium": 6.0,
    "plp": 200.0,
    "egfr": 150.0,
}
CONTEXTS = st.builds(
    rn.Context,
    sex=st.sampled_from([None, "female", "male"]),
    age=st.one_of(st.none(), st.integers(0, 110)),
    kidney_disease=st.booleans(),
    dialysis=st.booleans(),
) | st.builds(rn.Context, sex=st.sampled_from([None, "female"]), pregnant=st.just(True))


def value_of(analyte: str) -> st.SearchStrategy[float]:
    return st.floats(plausible_floor(analyte), SPAN[analyte], allow_nan=False, allow_infinity=False)


@st.composite
def panels(draw: st.DrawFn, min_size: int = 0) -> dict[str, float]:
    ids = draw(st.lists(st.sampled_from(sorted(SPAN)), unique=True, min_size=min_size))
    panel = {a: draw(value_of(a)) for a in ids}
    if "serum_iron" in panel and "tibc" in panel:  # serum iron cannot exceed TIBC
        low, high = sorted((panel["serum_iron"], panel["tibc"]))
        panel["serum_iron"], panel["tibc"] = low, max(high, 1.0)
    return panel


@given(st.sampled_from(sorted(NUTRIENT_OF)), panels(), st.data(), CONTEXTS)
def test_lowering_a_value_never_improves_its_nutrient(
    analyte: str, base: dict[str, float], data: st.DataObject, ctx: rn.Context
) -> None:
    lo = data.draw(value_of(analyte), label="lower")
    hi = data.draw(value_of(analyte).filter(lambda v: v >= lo), label="higher")
    nid = NUTRIENT_OF[analyte]
    s_lo = rn.assess({**base, analyte: lo}, context=ctx).finding(nid).status
    s_hi = rn.assess({**base, analyte: hi}, context=ctx).finding(nid).status
    if s_hi in (rn.Status.DEFICIENT, rn.Status.LOW):
        assert s_lo in (rn.Status.DEFICIENT, rn.Status.LOW), (s_lo, s_hi)
    # At a ferritin at or above its ceiling, a low TSAT is `high` (a pattern to work up, not
    # more iron: docs/clinical-basis.md) where a higher one is adequate.
    ceiling = _panel().rules.cuts["iron.ferritin.ceiling"].value
    work_up = analyte == "tsat" and s_lo is rn.Status.HIGH and base.get("ferritin", 0) >= ceiling
    if s_lo in RANK and s_hi in RANK and not work_up:
        assert RANK[s_lo] <= RANK[s_hi], (analyte, lo, hi, s_lo, s_hi)


NON_DEFAULT_UNITS = [
    (a.id, spec.unit, spelling)
    for a in K.analytes
    for spec in a.units[1:]
    for spelling in (spec.unit, *spec.spellings)
]


def _judgement(a: rn.Assessment) -> rn.Assessment:
    """The assessment without its wording and the values as given: rationales quote values
    in the unit given, and each value keeps the number and unit it was given in."""
    return attrs.evolve(
        a,
        findings=tuple(
            attrs.evolve(
                f,
                rationale="",
                reasons=tuple(attrs.evolve(r, text="") for r in f.reasons),
                values=tuple(attrs.evolve(v, given_value=None, given_unit=None) for v in f.values),
            )
            for f in a.findings
        ),
        warnings=tuple(attrs.evolve(w, text="") for w in a.warnings),
    )


def _limit(analyte: str) -> float:
    """The largest plausible value in the default unit (a TSAT of 100 %, a ferritin of
    1,000,000 ng/mL; no limit where the data gives none)."""
    a = ANALYTES[analyte]
    limits = [math.inf if a.max_plausible is None else a.max_plausible]
    if a.plausibility is not None:
        factor = K.unit_index[analyte, normalize_unit(a.plausibility.unit)].factor
        limits.append(a.plausibility.max * factor)
    return min(limits)


def _decided(a: rn.Assessment) -> tuple[object, ...]:
    """What an assessment decided: statuses, actions, reasons' ids, warnings, next tests."""
    return (
        [
            (f.status, f.action_codes(), [(r.threshold, r.note, r.held) for r in f.reasons])
            for f in a.findings
        ],
        [w.code for w in a.warnings],
        a.missing_tests,
    )


def _points(analyte: str) -> list[float]:
    return [p for ps in _panel().rules.points_by_scale[analyte].values() for p in ps]


def _rounding_bands(analyte: str) -> list[tuple[float, float]]:
    """Between a cut-off and the rounded figure its source publishes on another scale, a value
    is judged by the figure on the scale it was given on, so the two scales may differ there."""
    from rlsnutrition import _rules

    bands = []
    for cut in _rules.rules_for(K).cuts.values():
        if cut.threshold.analyte == analyte:
            for published in cut.by_scale.values():
                bands.append((min(published, cut.value), max(published, cut.value)))
    return bands


@given(st.sampled_from(NON_DEFAULT_UNITS), st.floats(0, 1e4, allow_nan=False), panels(), CONTEXTS)
def test_a_value_in_another_unit_gives_the_same_result(
    unit: tuple[str, str, str], value: float, base: dict[str, float], ctx: rn.Context
) -> None:
    from test_assess_mutations import FACTORS  # factors from chemistry, not from the library

    analyte, canonical, spelling = unit
    converted = value * FACTORS[analyte, canonical]
    assume(plausible_floor(analyte) <= converted <= _limit(analyte))
    assume(not any(lo <= converted <= hi for lo, hi in _rounding_bands(analyte)))
    # The table's factors agree with the data's to 2e-4: stay clear of the cut points by more.
    assume(not any(abs(converted - p) <= 5e-4 * p for p in _points(analyte)))
    # Serum iron with TIBC gives a derived TSAT, a ratio whose cut points this test cannot
    # keep clear of: the vignettes judge it on both sides, in mixed units.
    partner = {"serum_iron": "tibc", "tibc": "serum_iron"}.get(analyte)
    base = {k: v for k, v in base.items() if k not in (analyte, partner)}
    in_default = rn.assess({**base, analyte: converted}, context=ctx)
    as_string = rn.assess({**base, analyte: f"{value!r} {spelling}"}, context=ctx)
    as_tuple = rn.assess({**base, analyte: (value, spelling)}, context=ctx)
    as_result = rn.assess(
        [rn.LabResult(k, v) for k, v in base.items()] + [rn.LabResult(analyte, value, spelling)],
        context=ctx,
    )
    assert as_string == as_tuple == as_result
    # The table's factors are from chemistry, so converted values differ in the last digits:
    # compare what was decided.
    assert _decided(in_default) == _decided(as_string)


@pytest.mark.parametrize(
    ("labs", "status"),
    [
        # IOM 2011: < 30 nmol/L (< 12 ng/mL) deficient; < 50 nmol/L (< 20 ng/mL) inadequate
        ({"vitamin_d": "20 ng/mL"}, rn.Status.ADEQUATE),
        ({"vitamin_d": "49.9 nmol/L"}, rn.Status.LOW),
        ({"vitamin_d": "50 nmol/L"}, rn.Status.ADEQUATE),
        ({"vitamin_d": "12 ng/mL"}, rn.Status.LOW),
        ({"vitamin_d": "29.9 nmol/L"}, rn.Status.DEFICIENT),
        ({"vitamin_d": "50 ng/mL"}, rn.Status.ADEQUATE),
        ({"vitamin_d": "50.1 ng/mL"}, rn.Status.HIGH),
        # NICE NG239: < 180 ng/L (133 pmol/L) deficient; 350 ng/L (258 pmol/L) tops the band
        ({"vitamin_b12": "180 pg/mL"}, rn.Status.LOW),
        ({"vitamin_b12": "180 ng/L"}, rn.Status.LOW),
        ({"vitamin_b12": "179 pg/mL"}, rn.Status.DEFICIENT),
        ({"vitamin_b12": "133 pmol/L"}, rn.Status.LOW),
        ({"vitamin_b12": "132.9 pmol/L"}, rn.Status.DEFICIENT),
        ({"vitamin_b12": "258 pmol/L"}, rn.Status.ADEQUATE),
        ({"vitamin_b12": "257.9 pmol/L"}, rn.Status.LOW),
        # WHO 2015: < 100 ng/mL (< 226.5 nmol/L) red-cell folate is deficient (and below
        # Pfeiffer 2016's 340 nmol/L, low)
        ({"rbc_folate": "226.5 nmol/L"}, rn.Status.LOW),
        ({"rbc_folate": "226.4 nmol/L"}, rn.Status.DEFICIENT),
        ({"rbc_folate": "100 ng/mL"}, rn.Status.LOW),
        ({"rbc_folate": "99.9 ng/mL"}, rn.Status.DEFICIENT),
    ],
)
def test_a_value_at_a_published_cut_off_meets_it_on_either_scale(
    labs: dict[str, str], status: rn.Status
) -> None:
    (finding,) = [f for f in rn.assess(labs).findings if f.status is not rn.Status.NOT_TESTED]
    assert finding.status is status, finding.rationale
    given = next(iter(labs.values()))
    assert f" {given} " in finding.rationale  # quoted as given, in the unit given


@given(panels(), CONTEXTS)
def test_missing_data_never_yields_deficient_or_low(
    panel: dict[str, float], ctx: rn.Context
) -> None:
    result = rn.assess(panel, context=ctx)
    # Serum iron with TIBC gives TSAT (serum iron / TIBC x 100) when TSAT is not reported.
    has = panel.keys() | ({"tsat"} if {"serum_iron", "tibc"} <= panel.keys() else set())
    tests = {
        "iron": {"ferritin", "tsat"},
        "magnesium": {"magnesium"},
        "vitamin_b12": {"vitamin_b12", "mma", "homocysteine"},  # MMA is a B12 lab too
        "vitamin_b6": {"plp"},
        "vitamin_d": {"vitamin_d"},
        "folate": {"folate", "rbc_folate"},
    }
    for finding in result.findings:
        if not tests[finding.nutrient] & has:
            assert finding.status is rn.Status.NOT_TESTED, finding
    if "ferritin" not in has or "tsat" not in has:
        assert {"ferritin", "tsat"} <= set(result.missing_tests) | has


def test_empty_labs_give_all_not_tested() -> None:
    result = rn.assess({})
    assert [f.status for f in result.findings] == [rn.Status.NOT_TESTED] * 6
    assert result.findings == rn.assess([]).findings
    assert result.missing_tests[:2] == ("ferritin", "tsat")
    assert all(f.actions == () for f in result.findings)


@given(panels(), CONTEXTS, st.randoms(use_true_random=False))
def test_order_of_labs_does_not_matter_and_results_are_deterministic(
    panel: dict[str, float], ctx: rn.Context, rnd: random.Random
) -> None:
    items = list(panel.items())
    first = rn.assess(dict(items), context=ctx)
    rnd.shuffle(items)
    assert rn.assess(dict(items), context=ctx) == first
    results = [rn.LabResult(k, v) for k, v in items]
    rnd.shuffle(results)
    assert rn.assess(results, context=ctx) == first
    assert rn.assess(dict(items), context=ctx) == first


@given(panels(), CONTEXTS)
def test_json_round_trip_is_equal(panel: dict[str, float], ctx: rn.Context) -> None:
    result = rn.assess(panel, context=ctx)
    assert rn.Assessment.from_json(result.to_json()) == result
    assert rn.Assessment.from_dict(result.to_dict()) == result
    assert pickle.loads(pickle.dumps(result)) == result


@given(panels(), CONTEXTS)
@example({"ferritin": 50, "tsat": 20}, rn.Context(age=0, dialysis=True))
@example({"ferritin": 50, "tsat": 20}, rn.Context(age=18, dialysis=True))
@example({"ferritin": 300, "tsat": 20}, rn.Context(age=0, dialysis=True))
@example({"ferritin": 100, "tsat": 45}, rn.Context(age=12, dialysis=True))
def test_every_finding_that_is_not_adequate_says_see_a_clinician(
    panel: dict[str, float], ctx: rn.Context
) -> None:
    # The one documented exception (docs/clinical-basis.md, vignette "child on dialysis,
    # ferritin 50"): a child on dialysis is always told to see a clinician about iron, even
    # when it is adequate by the paediatric criterion, since a paediatric nephrologist decides.
    child_on_dialysis = ctx.dialysis is True and ctx.age is not None and ctx.age < 18
    for f in rn.assess(panel, context=ctx).findings:
        codes = f.action_codes()
        if f.nutrient == "iron" and child_on_dialysis and f.status is not rn.Status.NOT_TESTED:
            assert "see-clinician" in codes
            assert "iron.child-on-dialysis" in [r.note for r in f.reasons], f
            assert f.references, f
        elif f.status in (rn.Status.ADEQUATE, rn.Status.NOT_TESTED):
            assert "see-clinician" not in codes
        else:
            assert "see-clinician" in codes
            assert f.references, f
        assert f.rationale
        assert len(codes) == len(set(codes))


ANY_KEY = st.one_of(
    st.sampled_from(sorted(K.analyte_index)),
    st.text(max_size=20),
    st.integers(),
    st.none(),
    st.floats(),
    st.tuples(st.text(max_size=3)),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(2**1000, 2**1100),  # beyond any float
    st.just(10**5000),  # beyond what repr() will print
    st.floats(),
    st.decimals(allow_nan=True),
    st.fractions(),
    st.complex_numbers(),
    st.text(max_size=20),
    st.from_regex(r"\s*(<|>|<=|>=)?\s*-?\d{0,4}(\.\d{0,3})?\s*[a-zA-Zµ/%]{0,8}\s*", fullmatch=True),
    st.binary(max_size=5),
)
ANY_VALUE = st.one_of(
    SCALARS,
    st.tuples(SCALARS, SCALARS),
    st.tuples(SCALARS),
    st.tuples(SCALARS, SCALARS, SCALARS),
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=3), SCALARS, max_size=2),
    st.builds(rn.LabResult, ANY_KEY, SCALARS, SCALARS, SCALARS, SCALARS),
)
DOCUMENTED = (
    rn.UnknownAnalyteError,
    rn.UnknownUnitError,
    rn.InvalidLabValueError,
)


@given(st.dictionaries(ANY_KEY, ANY_VALUE, max_size=5))
def test_any_lab_key_or_value_raises_only_the_documented_errors(labs: dict[Any, Any]) -> None:
    try:
        result = rn.assess(labs)
    except DOCUMENTED as exc:
        assert str(exc)
        assert isinstance(exc, rn.RLSNutritionError)
    else:
        assert len(result.findings) == 6


@given(st.lists(ANY_VALUE, max_size=4))
def test_any_iterable_of_labs_raises_only_the_documented_errors(labs: list[Any]) -> None:
    try:
        result = rn.assess(labs)
    except DOCUMENTED as exc:
        assert str(exc)
    else:
        assert len(result.findings) == 6


@given(
    st.integers() | st.integers(2**900, 2**1100) | st.integers(-(2**1100), -(2**900)),
    st.sampled_from(sorted(SPAN)),
    st.sampled_from([lambda v: v, lambda v: (v, None), lambda v: rn.LabResult("x", v)]),
)
def test_integers_of_any_size_give_a_result_or_a_typed_error(
    value: int, analyte: str, wrap: Any
) -> None:
    raw = wrap(value)
    if isinstance(raw, rn.LabResult):
        raw = rn.LabResult(analyte, value)
        labs: Any = [raw]
    else:
        labs = {analyte: raw}
    try:
        valid = 0 <= float(value) <= _limit(analyte)
    except OverflowError:  # beyond any float
        valid = False
    try:
        result = rn.assess(labs)
    except rn.InvalidLabValueError as exc:
        assert analyte in str(exc)
        assert not valid
    else:
        assert valid
        assert len(result.findings) == 6


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(sorted(SPAN)))
def test_non_finite_and_negative_values_are_invalid(value: float, analyte: str) -> None:
    assume(not (math.isfinite(value) and value >= 0))
    try:
        rn.assess({analyte: value})
    except rn.InvalidLabValueError as exc:
        assert analyte in str(exc)
    else:
        raise AssertionError("accepted")


@given(st.lists(panels(), max_size=5), CONTEXTS)
def test_assess_many_equals_assess_on_each(batch: list[dict[str, float]], ctx: rn.Context) -> None:
    assert list(rn.assess_many(batch, context=ctx)) == [rn.assess(p, context=ctx) for p in batch]


def _panel() -> Any:
    from rlsnutrition import _panel, _rules

    return _panel.panel_for(_rules.rules_for(K))


def _forget() -> None:
    from rlsnutrition import _parse

    for memos in _parse._memo.values():
        memos.clear()
    for clock in _parse._clock.values():
        clock[:] = [0, 0]
    _panel().memo.clear()


@given(panels(), CONTEXTS)
def test_remembered_results_equal_fresh_ones(panel: dict[str, float], ctx: rn.Context) -> None:
    warm = rn.assess(panel, context=ctx)
    _forget()
    assert rn.assess(panel, context=ctx) == warm


def test_the_memos_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from rlsnutrition import _panel as panel_module
    from rlsnutrition import _parse

    _forget()
    monkeypatch.setattr(panel_module, "MEMO_SIZE", 8)
    fresh = []
    for i in range(2 * _parse._MEMO_SIZE + 10):
        panel = {"vitamin_d": f"{10 + i / 1000} ng/mL", "ferritin": i % 300, "tsat": 1 + i % 60}
        fresh.append(rn.assess(panel))
        assert len(_panel().memo) <= 8
        sizes = {a: len(memo) for memos in _parse._memo.values() for a, memo in memos.items()}
        assert max(sizes.values()) <= _parse._MEMO_SIZE
    # ferritin's values recur; vitamin D's never do, so its memo rests
    assert sizes["ferritin"] == 300 and _parse._memo["conventional"]["vitamin_d"] is _parse._RESTING
    assert rn.assess({"vitamin_d": 10}) == rn.assess({"vitamin_d": 10.0})
    monkeypatch.undo()
    _forget()
    assert rn.assess({"vitamin_d": 10, "ferritin": 0, "tsat": 1}) == fresh[0]


def _near_cuts(analyte: str) -> st.SearchStrategy[float]:
    """Values on, just below and just above each of an analyte's cut points, or anywhere."""
    from rlsnutrition import _rules

    points = _rules.rules_for(K).points_by_scale[analyte][ANALYTES[analyte].default_unit]
    edges = sorted(
        {e for p in points for e in (math.nextafter(p, 0), p, math.nextafter(p, math.inf))}
    )
    return st.sampled_from(edges) | value_of(analyte) if edges else value_of(analyte)


@st.composite
def edgy_panels(draw: st.DrawFn) -> dict[str, float]:
    ids = draw(st.lists(st.sampled_from(sorted(SPAN)), unique=True))
    return {a: draw(_near_cuts(a)) for a in ids}


@given(st.lists(edgy_panels(), min_size=1, max_size=4), CONTEXTS)
def test_remembered_verdicts_equal_judging_afresh(
    batch: list[dict[str, float]], ctx: rn.Context
) -> None:
    # Panel.findings() reuses a verdict for every value in the same place among the cut
    # points (the batch shares them); Panel.directly() runs the rules on the values themselves.
    from rlsnutrition import _parse

    judge = _panel()
    reported = {nid: analytes for nid, analytes, _, _ in judge.plan}
    for panel in batch:
        labs = _parse.read_labs(panel, K)
        for finding in judge.findings(labs, ctx):
            nid = finding.nutrient
            relevant = [labs[a] for a in reported[nid] if a in labs]
            assert finding == judge.directly(nid, relevant, ctx), (nid, panel)


def test_true_is_not_remembered_as_one() -> None:
    rn.assess({"ferritin": 1, "tsat": (1, "%")})
    with pytest.raises(rn.InvalidLabValueError):
        rn.assess({"ferritin": True})
    with pytest.raises(rn.InvalidLabValueError):
        rn.assess({"tsat": (True, "%")})


def test_a_list_comparator_is_an_invalid_value() -> None:
    with pytest.raises(rn.InvalidLabValueError, match="comparator"):
        rn.assess({"ferritin": rn.LabResult("ferritin", 45, comparator=["<"])})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        ("2021-01-01T01:00:00+00:00", "2020-12-31T23:00:00-05:00"),  # 04:00 UTC: newer
        ("2020-12-31", "2021-01-01T00:00:00Z"),
        ("2020", "2021-06"),  # (2020 and 2020-06 overlap: a conflict, see test_latest)
    ],
)
def test_the_newest_result_is_the_latest_instant_not_the_largest_string(
    older: str, newer: str
) -> None:
    labs = [rn.LabResult("ferritin", 10, when=older), rn.LabResult("ferritin", 45, when=newer)]
    for order in (labs, labs[::-1]):
        (value,) = rn.assess(order).finding("iron").values
        assert value.value == 45


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(ANY_JSON, st.data())
def test_a_damaged_stored_assessment_raises_invalid_argument_error(
    junk: Any, data: st.DataObject
) -> None:
    import json

    stored = rn.assess({"ferritin": 45, "tsat": "<15"}).to_dict()
    # Replace one field, anywhere in the stored dict, with junk.
    node: Any = stored
    path = []
    while isinstance(node, (dict, list)) and node and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        path.append(key)
        node = node[key]
    if not path:
        damaged: Any = junk
    else:
        damaged = stored
        parent: Any = stored
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = junk
    try:
        back = rn.Assessment.from_json(json.dumps(damaged))
    except rn.InvalidArgumentError as exc:
        assert "Assessment" in str(exc)
    else:
        assert isinstance(back, rn.Assessment)
    with pytest.raises(rn.InvalidArgumentError):
        rn.Assessment.from_json("{not json")


def test_assess_many_refuses_a_single_panel_and_names_the_panel_that_failed() -> None:
    with pytest.raises(rn.InvalidArgumentError, match="use assess"):
        list(rn.assess_many({"ferritin": 4}))
    with pytest.raises(rn.UnknownAnalyteError) as caught:
        list(rn.assess_many([{"ferritin": 4}, {"feritin": 4}]))
    if sys.version_info >= (3, 11):  # exceptions carry notes from 3.11
        assert caught.value.__notes__ == ["in panel 1 given to assess_many()"]


_OPT_TEXT = st.none() | st.text(max_size=12)
_OPT_FLOAT = st.none() | st.floats(allow_nan=False)
_NOTES = st.builds(rn.Note, st.text(max_size=8), st.text(max_size=12))
# Every field of each record `assess` builds with its fast constructor, drawn freely.
_RECORD_FIELDS: dict[type, st.SearchStrategy[tuple[Any, ...]]] = {
    rn.JudgedValue: st.tuples(
        st.text(max_size=12),
        st.floats(allow_nan=False),
        st.text(max_size=12),
        _OPT_TEXT,
        _OPT_FLOAT,
        _OPT_TEXT,
        _OPT_TEXT,
    ),
    rn.Reason: st.tuples(_OPT_TEXT, _OPT_TEXT, st.booleans(), st.text(max_size=20), _OPT_TEXT),
    rn.Finding: st.tuples(
        st.text(max_size=12),
        st.sampled_from(rn.Status),
        st.text(max_size=20),
        st.lists(_NOTES, max_size=2).map(tuple),
        st.just(()),
        st.lists(
            st.builds(rn.JudgedValue, st.text(max_size=5), st.floats(0, 9), st.just("u")),
            max_size=2,
        ).map(tuple),
        st.lists(
            st.builds(rn.Reason, _OPT_TEXT, _OPT_TEXT, st.booleans(), st.text(max_size=9)),
            max_size=2,
        ).map(tuple),
    ),
    rn.Assessment: st.tuples(
        st.just(()),
        st.lists(st.text(max_size=8), max_size=2).map(tuple),
        st.lists(_NOTES, max_size=2).map(tuple),
        st.text(max_size=12),
        st.text(max_size=12),
        _OPT_TEXT,
    ),
}


@given(
    st.sampled_from(list(_RECORD_FIELDS)).flatmap(
        lambda c: st.tuples(st.just(c), _RECORD_FIELDS[c])
    )
)
def test_fast_record_constructors_equal_the_classes(drawn: tuple[type, tuple[Any, ...]]) -> None:
    """The constructor `assess` uses for each record builds exactly what the class builds:
    equal, same hash and repr, frozen, with every field set."""
    from rlsnutrition.assessment import _constructor

    cls, fields = drawn
    fast = _constructor(cls)
    assert fast is not cls  # the records are plain: the shortcut is in use
    made, expected = fast(*fields), cls(*fields)
    assert type(made) is cls
    assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
    assert attrs.asdict(made) == attrs.asdict(expected)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        made.analyte = ""  # type: ignore[attr-defined]


def _variants() -> list[type]:
    """Records like JudgedValue whose ``__init__`` does more than set fields in order."""

    def checked(**kw: Any) -> Any:
        return attrs.field(validator=attrs.validators.instance_of(str), **kw)

    @attrs.frozen
    class Validated:
        analyte: str = checked()
        value: float = 0.0

    @attrs.frozen
    class Converted:
        analyte: str = attrs.field(converter=str)
        value: float = 0.0

    @attrs.frozen
    class Hooked:
        analyte: str
        value: float = 0.0

        def __attrs_post_init__(self) -> None:
            pass

    @attrs.frozen(cache_hash=True)
    class Cached:
        analyte: str
        value: float = 0.0

    @attrs.frozen
    class KeywordOnly:
        analyte: str = attrs.field(kw_only=True)
        value: float = 0.0

    @attrs.frozen(init=False)
    class OwnInit:
        analyte: str
        value: float = 0.0

        def __init__(self, analyte: str, value: float) -> None:
            self.__attrs_init__(analyte.strip(), value)  # type: ignore[attr-defined]

    @attrs.frozen(slots=False)
    class Unslotted:
        analyte: str
        value: float = 0.0

    return [Validated, Converted, Hooked, Cached, KeywordOnly, OwnInit, Unslotted]


@pytest.mark.parametrize("cls", _variants(), ids=lambda c: c.__name__)
def test_fast_constructor_steps_aside_for_a_record_that_does_more(cls: type) -> None:
    from rlsnutrition.assessment import _constructor

    assert _constructor(cls) is cls


_CENSORS = ["<", "<=", ">", ">="]


@st.composite
def written_value(draw: st.DrawFn, analyte: str) -> object:
    """A value for ``analyte`` as callers write it: a number, a string in any accepted unit
    and spelling (censored or not), a (value, unit) tuple, or a LabResult."""
    spec = draw(st.sampled_from(ANALYTES[analyte].units))
    unit = draw(st.sampled_from([spec.unit, *spec.spellings, spec.unit.upper(), "furlongs"]))
    number = draw(_near_cuts(analyte) | st.floats(0, SPAN[analyte])) / spec.factor
    arabic = str.maketrans(
        "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    )
    text = draw(
        st.sampled_from(
            [
                f"{number:.4g}",
                f"{number}",
                f"{round(number)}",
                f"{number:.2f}".translate(arabic),  # Unicode digits, as float() reads them
                f"{number:.1f}".rstrip("0"),  # "45."
                f"{number:.2f}".lstrip("0"),  # ".45"
                "1e1",
                "9" * 400,  # too large for a float
                "1.2.3",
            ]
        )
    )
    cmp = draw(st.sampled_from(["", "", *_CENSORS]))
    forms: dict[str, object] = {
        "text": f"{cmp}{text} {unit}",
        "bare": f"{cmp}{text}",
        "tight": f"{cmp}{text}{unit}",
        "spaced": f"  {cmp} {text}\t {unit}  ",
        "loose": f"{cmp}{text} {draw(st.sampled_from(['', ' ', '  ']))}{unit}{draw(st.sampled_from(['', ' ']))}",
        "blank": f"{cmp}{text} ",
        "number": number,
        "int": round(number),
        "tuple": (draw(st.sampled_from([number, f"{cmp}{text}"])), unit),
        "lab": rn.LabResult(analyte, draw(st.sampled_from([number, text])), unit, cmp or None),
    }
    return forms[draw(st.sampled_from(sorted(forms)))]


@st.composite
def written_panels(draw: st.DrawFn) -> dict[str, object]:
    ids = draw(st.lists(st.sampled_from(sorted(SPAN)), unique=True))
    return {a: draw(written_value(a)) for a in ids}


@st.composite
def full_panels(draw: st.DrawFn) -> dict[str, object]:
    """Every analyte, as labs print them: "45.2 ng/mL" in any accepted unit (sometimes
    censored, or a bare number), values on, around and between the cut points; sometimes
    without the TSAT (derived from serum iron and TIBC, so the panel is whole again) or
    without one analyte."""
    numbers = {a: draw(_near_cuts(a)) for a in sorted(SPAN)}
    low, high = sorted((numbers["serum_iron"], numbers["tibc"]))
    numbers["serum_iron"], numbers["tibc"] = low, max(high, 1.0)
    panel: dict[str, object] = {}
    for analyte, number in numbers.items():
        spec = draw(st.sampled_from(ANALYTES[analyte].units))
        given = number / spec.factor
        cmp = draw(st.sampled_from(["", "", "", "", *_CENSORS]))
        panel[analyte] = draw(st.sampled_from([f"{cmp}{given:.4g} {spec.unit}", given]))
    left_out = draw(st.sampled_from([None, None, "tsat", *sorted(SPAN)]))
    if left_out is not None:
        del panel[left_out]
    return panel


def _outcome(result: object) -> object:
    if isinstance(result, Exception):
        return type(result), str(result)
    return result


@given(
    st.lists(written_panels() | full_panels(), min_size=1, max_size=4),
    CONTEXTS,
    st.sampled_from(["conventional", "si"]),
)
def test_fast_paths_equal_the_slow_paths(
    batch: list[dict[str, object]], ctx: rn.Context, units: Any
) -> None:
    """Every shortcut of assess_many (values read directly, remembered on a second reading,
    verdicts remembered by place, rationales filled into pieces, records built slot by slot,
    a whole panel's values taken by one itemgetter per nutrient, warnings from words kept)
    gives what the slow paths give: each value read by the general reader, never remembered,
    each nutrient judged afresh, the warnings written as before. Panels repeat, so the memos
    answer too."""
    from rlsnutrition._render import rationale

    batch = batch * 2
    fast = [_outcome(r) for r in rn.assess_many(batch, context=ctx, units=units, errors="return")]
    for result in fast:
        for f in getattr(result, "findings", ()):
            assert f.rationale == rationale(f.reasons)
    assert fast == _slowly(batch, ctx, units)


def _slowly(batch: list[Any], ctx: rn.Context, units: Any) -> list[object]:
    """What assess_many gives for ``batch`` when every shortcut is off: each value read by the
    general reader and never remembered, each nutrient judged afresh, the warnings written
    as they were before they were cut down to words kept per cut-off and scale."""
    from rlsnutrition import _panel as panel_module
    from rlsnutrition import _parse

    judge = _panel()

    def afresh(labs: Any, context: rn.Context) -> tuple[rn.Finding, ...]:
        return tuple(
            judge.directly(nid, [labs[a] for a in reported if a in labs], context)
            for nid, reported, _, _ in judge.plan
        )

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_parse, "_PLAIN", False)
        mp.setattr(_parse, "_memo_key", lambda *args: None)
        mp.setattr(_parse, "_MEMO_TEXT", -1)
        mp.setattr(panel_module.Panel, "findings", lambda self, labs, c: afresh(labs, c))
        mp.setattr(panel_module.Panel, "warnings", lambda self, labs, c: _warnings(labs, c))
        return [
            _outcome(r) for r in rn.assess_many(batch, context=ctx, units=units, errors="return")
        ]


def _warnings(labs: Any, ctx: rn.Context) -> list[rn.Note]:
    """Panel.warnings as it was written before issue 12's last round: a Step and a Reason
    per anaemia warning, a Note built by its class, each cut-off read by `Cut.value_for`."""
    from rlsnutrition._panel import _as_reported, _bounds
    from rlsnutrition._render import capitalized
    from rlsnutrition._rules import Cut, Step, hemoglobin_cutoff

    def _surely(m: rn.JudgedValue, cut: Cut) -> bool:
        limit = cut.value_for(m.given_unit)
        if m.comparator is None:
            return cut.holds_at(m.value, limit)
        return all(cut.holds_at(e, limit) for e in _bounds(m))

    judge = _panel()
    rules = judge.rules
    texts = rules.warning_texts
    out: list[rn.Note] = []
    crp, ferritin, hb = labs.get("crp"), labs.get("ferritin"), labs.get("hemoglobin")
    if crp is not None and ferritin is not None:
        inflamed, deficient, ceiling = (
            rules.cuts[f"iron.{name}"]
            for name in ("crp.inflammation", "ferritin.deficient_inflammation", "ferritin.ceiling")
        )
        if (
            _surely(crp, inflamed)
            and not _surely(ferritin, deficient)
            and not _surely(ferritin, ceiling)
        ):
            code = "ferritin-unreliable-inflammation"
            quoted = f"CRP {_as_reported(crp)} {crp.given_unit}"
            out.append(rn.Note(code, f"{quoted} {texts[code].text}"))
    cut = hemoglobin_cutoff(ctx, rules)
    if hb is not None and cut is not None and _surely(hb, cut):
        step = Step(cut.threshold.id, None, "hemoglobin", True, hb.given_unit)
        text = judge.words.reason(step, {"hemoglobin": _as_reported(hb)}).text
        out.append(rn.Note("anaemia", capitalized(text)))
    if rules.is_child(ctx):
        out.append(rn.Note("adult-thresholds", texts["adult-thresholds"].text))
    return out


@given(
    st.lists(st.floats(0, 1e6), max_size=6, unique=True).map(sorted),
    st.lists(st.floats(0, 1e6), max_size=4),
    st.data(),
)
def test_one_bisection_among_the_edges_places_a_value_as_two_among_the_points(
    points: list[float], others: list[float], data: st.DataObject
) -> None:
    """Where a value falls among cut points (2i below point i, 2i+1 at it) is found by one
    bisection among the points and the floats just above them: at, just below and just
    above every point, and anywhere."""
    from bisect import bisect_left, bisect_right

    from rlsnutrition._panel import _edges

    near = [e for p in points for e in (math.nextafter(p, 0), p, math.nextafter(p, math.inf))]
    edges = _edges(points)
    for v in [*near, *others, 0.0, math.inf]:
        assert bisect_right(edges, v) == bisect_left(points, v) + bisect_right(points, v), v


@given(st.data())
def test_a_warning_reads_each_cut_off_on_the_scale_of_its_value(data: st.DataObject) -> None:
    """`_surely` takes a cut-off's figure for the value's scale as `Cut.value_for` gives it,
    for every cut-off (those published on several scales too), every scale and censoring."""
    from rlsnutrition._panel import _bounds, _surely

    rules = _panel().rules
    cut = data.draw(st.sampled_from(sorted(rules.cuts.values(), key=lambda c: c.threshold.id)))
    scale = data.draw(st.sampled_from([None, *(u.unit for u in cut.analyte.units)]))
    limit = cut.value_for(scale)
    value = data.draw(
        st.sampled_from([math.nextafter(limit, 0), limit, math.nextafter(limit, math.inf)])
        | st.floats(0, 2 * limit + 1)
    )
    cmp = data.draw(st.sampled_from([None, *_CENSORS]))
    m = rn.JudgedValue(cut.analyte.id, value, cut.unit, cmp, value, scale)
    ends = [value] if cmp is None else _bounds(m)
    assert _surely(m, cut) == all(cut.holds_at(e, limit) for e in ends)


@pytest.mark.parametrize("units", ["conventional", "si"])
def test_plain_numbers_read_their_unit_as_written(units: Any) -> None:
    """The plain-number reader remembers a unit's plan under its text as written, spaces and
    all: every such text reads (or is refused, quoting the unit stripped) as the general
    reader reads it, the second time as the first."""
    texts = ["45 ng/mL", "45  ng/mL", "45 ng/mL ", "45 \tug/l\t", "45 ", "45", "45  "]
    texts += ["45 furlongs", "45  furlongs ", "45 furlongs\t", "9" * 400 + " ng/mL"]
    texts += ["9" * 400 + " furlongs"]  # not finite, whatever its unit (the unit was refused)
    batch = [{"ferritin": t} for t in texts] * 2
    ctx = rn.Context()
    fast = [_outcome(r) for r in rn.assess_many(batch, context=ctx, units=units, errors="return")]
    assert fast == _slowly(batch, ctx, units)


def test_a_value_is_remembered_on_its_second_reading() -> None:
    from rlsnutrition import _parse

    _forget()
    memo = _parse._memo["conventional"]
    first = rn.assess({"ferritin": "45 ng/mL"})
    assert memo == {"ferritin": {"45 ng/mL": _parse._ONCE}}
    second = rn.assess({"ferritin": "45 ng/mL"})
    assert second.findings[0].values[0] is memo["ferritin"]["45 ng/mL"]
    third = rn.assess({"ferritin": "45 ng/mL"})
    assert first == second == third
    assert third.findings[0].values[0] is second.findings[0].values[0]
    assert first.findings[0].values[0] is not second.findings[0].values[0]


def test_a_memo_whose_values_do_not_recur_rests_then_wakes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo that fills up with values read only once rests (neither read nor written, the
    values read the same) for _MEMO_REST panels, then starts afresh; one where a quarter of
    its values were read twice is only emptied."""
    from rlsnutrition import _parse

    _forget()
    monkeypatch.setattr(_parse, "_MEMO_SIZE", 8)
    monkeypatch.setattr(_parse, "_MEMO_REST", 5)
    memo = _parse._memo["conventional"]
    texts = [f"{40 + i / 10} ng/mL" for i in range(9)]
    first = [rn.assess({"ferritin": t}) for t in texts]  # the ninth finds the memo full
    assert memo["ferritin"] is _parse._RESTING
    resting = [rn.assess({"ferritin": t}) for t in texts[:4]]  # panels 10 to 13
    assert resting == first[:4]
    assert memo["ferritin"] is _parse._RESTING and _parse._RESTING == {}
    awake = rn.assess({"ferritin": texts[0]})  # panel 14: 9 + _MEMO_REST
    assert awake == first[0] and memo["ferritin"] == {texts[0]: _parse._ONCE}
    again = rn.assess({"ferritin": texts[0]})
    assert again == first[0] and again.findings[0].values[0] is memo["ferritin"][texts[0]]
    # Two of eight values read twice (a quarter): the full memo is emptied, not rested.
    for t in [texts[1], texts[1], *texts[2:8]]:
        rn.assess({"ferritin": t})
    assert len(memo["ferritin"]) == 8
    assert rn.assess({"ferritin": "50 ng/mL"}) == rn.assess({"ferritin": 50.0})
    assert memo["ferritin"] == {"50 ng/mL": _parse._ONCE}


@given(st.lists(written_panels(), min_size=1, max_size=4), st.sampled_from(["conventional", "si"]))
def test_values_read_while_memos_rest_equal_fresh_ones(
    batch: list[dict[str, object]], units: Any
) -> None:
    """With tiny memos that fill, rest and wake within the batch, every result equals the one
    read afresh, never remembered."""
    from rlsnutrition import _parse

    batch = batch * 3
    _forget()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_parse, "_MEMO_SIZE", 2)
        mp.setattr(_parse, "_MEMO_REST", 2)
        fast = [_outcome(r) for r in rn.assess_many(batch, units=units, errors="return")]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_parse, "_MEMO_TEXT", -1)
        mp.setattr(_parse, "_memo_key", lambda *args: None)
        slow = [_outcome(r) for r in rn.assess_many(batch, units=units, errors="return")]
    _forget()
    assert fast == slow


@given(
    st.lists(
        st.tuples(st.booleans(), st.text(max_size=6), st.text(max_size=6), st.text(max_size=6)),
        min_size=1,
        max_size=4,
    )
)
def test_a_verdict_fills_its_rationale_as_the_reasons_read(
    parts: list[tuple[bool, str, str, str]],
) -> None:
    """A verdict's rationale in pieces, filled with the values, is the rationale of the
    reasons it builds: capitalised once, joined by "; ", whatever the words around a value
    (an empty "before" included, where the value itself must be capitalised)."""
    from rlsnutrition._panel import _NOTE, _verdict
    from rlsnutrition._render import rationale
    from rlsnutrition._rules import Step

    built: list[tuple[rn.Reason | None, Step, str, str]] = []
    labs = {}
    for i, (is_note, before, after, value) in enumerate(parts):
        if is_note:
            built.append((rn.Reason(None, None, True, before + value + after, "n"), _NOTE, "", ""))
        else:
            analyte = f"a{i}"
            labs[analyte] = rn.JudgedValue(analyte, 1.0, "u", None, 1.0, "u")
            built.append((None, Step("t", None, analyte, True, "u"), before + value, after))
    verdict = _verdict(rn.Status.LOW, (), (), built)
    finding = verdict.finding("iron", list(labs.values()), labs)
    assert finding.rationale == rationale(finding.reasons)
    assert [r.text for r in finding.reasons] == [
        before + value + after if is_note else before + value + "1" + after
        for is_note, before, after, value in parts
    ]
