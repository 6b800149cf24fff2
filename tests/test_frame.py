"""``rlsnutrition.frame.assess_frame``: a DataFrame judged row by row exactly as ``assess``."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition.frame import CONTEXT_COLUMNS, assess_frame

NIDS = [n.id for n in rn.nutrients()]
ANALYTES = {a.id: a for a in rn.analytes()}
# Names a column may carry for an analyte: its id, an alias, a LOINC code.
NAMES = {a.id: [a.id, *a.aliases[:2], *a.loinc[:1]] for a in ANALYTES.values()}


def _cut_points(analyte: str, unit: str) -> list[float]:
    """Every cut-off on ``analyte``, on the scale of ``unit``: converted, and as published."""
    points = []
    for t in rn.thresholds():
        if t.analyte == analyte:
            for value, given in [(t.value, t.unit), *((e.value, e.unit) for e in t.equivalents)]:
                points.append(rn.convert(value, given, unit, analyte=analyte))
    return points


def _numbers_around_cut_points(analyte: str, unit: str) -> st.SearchStrategy[float]:
    """Numbers on ``unit``'s scale at, just below and just above every cut point, and between."""
    near = _cut_points(analyte, unit)
    near += [x * (1 + d) for x in near for d in (-1e-9, 1e-9, -0.05, 0.05)]
    return st.one_of(
        st.sampled_from(near) if near else st.nothing(),
        st.floats(0, 2 * max(near, default=100.0), allow_nan=False),
    )


@st.composite
def cells(draw: st.DrawFn, analyte: str, numeric: bool) -> object:
    spec = ANALYTES[analyte]
    if numeric:
        default = spec.units[0]
        return draw(
            st.one_of(
                _numbers_around_cut_points(analyte, default.unit),
                st.just(np.nan),
                st.sampled_from([-1.0, np.inf, 1e12]),  # refused, each with its message
            )
        )
    unit = draw(st.sampled_from(spec.units))
    number = draw(_numbers_around_cut_points(analyte, unit.unit))
    sign = draw(st.sampled_from(["", "", "", "<", ">=", "≤"]))
    return draw(
        st.one_of(
            st.just(f"{sign}{number!r} {unit.unit}"),
            st.just(f"{number:.3g}"),
            st.just(number),
            st.sampled_from([None, np.nan, "lots", "45 furlongs", True]),
        )
    )


CONTEXT_CELLS: dict[str, st.SearchStrategy[object]] = {
    "sex": st.sampled_from(["female", "male", None, np.nan, "x"]),
    "age": st.sampled_from([None, np.nan, 9, 17, 18, 52, np.int64(70), 40.0, 200, -1]),
    "pregnant": st.sampled_from([False, True, np.bool_(False), np.bool_(True), np.nan]),
    "kidney_disease": st.sampled_from([False, True, np.bool_(True), None]),
    "dialysis": st.sampled_from([False, True, np.bool_(False)]),
}


@st.composite
def frames(draw: st.DrawFn) -> tuple[pd.DataFrame, rn.Context | None]:
    analytes = draw(st.lists(st.sampled_from(list(NAMES)), unique=True, min_size=1, max_size=8))
    context_columns = draw(st.lists(st.sampled_from(CONTEXT_COLUMNS), unique=True))
    rows = draw(st.integers(1, 12))
    data: dict[str, list[object]] = {}
    for analyte in analytes:
        name = draw(st.sampled_from(NAMES[analyte]))
        numeric = draw(st.booleans())
        column = draw(st.lists(cells(analyte, numeric), min_size=rows, max_size=rows))
        # Rows that repeat a value, or another value in the same place, share a verdict.
        if rows > 1 and draw(st.booleans()):
            column[-1] = column[0]
        data[name] = column
    for c in context_columns:
        data[c] = draw(st.lists(CONTEXT_CELLS[c], min_size=rows, max_size=rows))
    data["patient_id"] = list(range(rows))  # other columns are left alone
    base = draw(st.one_of(st.none(), st.builds(rn.Context, kidney_disease=st.booleans())))
    index = pd.Index([f"p{i}" for i in range(rows)])
    return pd.DataFrame(data, index=index), base


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x))


def expected_row(df: pd.DataFrame, row: int, base: rn.Context | None) -> dict[str, object]:
    """What assess says about one row, read the way the docs say assess_frame reads it."""
    fields: dict[str, object] = {}
    labs: dict[str, object] = {}
    for name in df.columns:
        cell = df[name].iat[row]
        if name in CONTEXT_COLUMNS:
            if not _missing(cell):
                fields[name] = int(cell) if isinstance(cell, float) and cell.is_integer() else cell
        elif name != "patient_id" and not _missing(cell):
            labs[name] = cell.item() if isinstance(cell, np.generic) else cell
    try:
        ctx = attrs.evolve(base or rn.Context(), **fields)
        result = rn.assess(labs, context=ctx)
    except rn.RLSNutritionError as exc:
        out: dict[str, object] = dict.fromkeys(COLUMNS)
        out["error"] = str(exc)
        return out
    out = {}
    for f in result.findings:
        out[f"{f.nutrient}_status"] = f.status.value
        out[f"{f.nutrient}_actions"] = ";".join(f.action_codes())
    out["missing_tests"] = ";".join(result.missing_tests)
    out["warnings"] = ";".join(w.code for w in result.warnings)
    out["error"] = None
    return out


COLUMNS = [*(f"{n}_{part}" for n in NIDS for part in ("status", "actions")), "missing_tests"]
COLUMNS += ["warnings", "error"]


@settings(max_examples=150)
@given(frames())
def test_every_row_is_judged_exactly_as_assess_judges_it(frame: tuple[pd.DataFrame, Any]) -> None:
    df, base = frame
    got = assess_frame(df, context=base)
    assert list(got.columns) == COLUMNS
    assert got.index.equals(df.index)
    for row in range(len(df)):
        assert got.iloc[row].to_dict() == expected_row(df, row, base), (row, df.iloc[row].to_dict())


def test_a_small_frame_reads_as_the_docs_say() -> None:
    df = pd.DataFrame(
        {
            "person": ["a", "b", "c", "d"],
            "Ferritin": [45, 150, np.nan, 20],
            "2502-3": [18, 30, 25, 10],  # TSAT by its LOINC code
            "25-OH vitamin D": ["20 nmol/L", None, "<5", "lots"],
            "sex": ["female", "male", np.nan, "female"],
            "age": [40.0, 9.0, np.nan, 33.0],
        },
        index=[10, 20, 30, 40],
    )
    out = assess_frame(df)
    assert list(out.index) == [10, 20, 30, 40]
    assert out.loc[10, "iron_status"] == "low"
    assert out.loc[10, "iron_actions"] == "consider-oral-iron;consider-iv-iron;see-clinician"
    assert out.loc[10, "vitamin_d_status"] == "deficient"
    assert out.loc[20, "warnings"] == "adult-thresholds"  # age 9.0 is read as 9
    assert out.loc[30, "iron_status"] == "indeterminate"  # TSAT alone
    assert out.loc[40, "error"].startswith("vitamin_d value 'lots' cannot be read")
    assert out.loc[40, "iron_status"] is None
    assert out.loc[10, "error"] is None
    assert "person" not in out.columns


def test_si_numbers_and_a_base_context() -> None:
    df = pd.DataFrame({"ferritin": [40.0], "vitamin_d": [40.0], "magnesium": [0.8]})
    out = assess_frame(df, units="si", context=rn.Context(kidney_disease=True))
    expected = rn.assess(
        {"ferritin": 40.0, "vitamin_d": 40.0, "magnesium": 0.8},
        units="si",
        context=rn.Context(kidney_disease=True),
    )
    assert out.loc[0, "vitamin_d_status"] == expected.finding("vitamin_d").status.value
    assert "magnesium-kidney-caution" in out.loc[0, "magnesium_actions"]


def test_numpy_integers_and_booleans_are_context_as_they_are() -> None:
    df = pd.DataFrame(
        {
            "hemoglobin": [10.5, 10.5],
            "age": np.array([16, 40], dtype=np.int64),
            "pregnant": np.array([True, False]),
            "sex": ["female", "female"],
        }
    )
    out = assess_frame(df)
    young = rn.assess({"hemoglobin": 10.5}, context=rn.Context(sex="female", age=16, pregnant=True))
    adult = rn.assess({"hemoglobin": 10.5}, context=rn.Context(sex="female", age=40))
    assert out["warnings"].tolist() == [
        ";".join(w.code for w in young.warnings),
        ";".join(w.code for w in adult.warnings),
    ]
    assert out.loc[0, "warnings"] == "anaemia;adult-thresholds"
    assert rn.Context(age=np.int64(40), pregnant=np.bool_(True), sex="female") == rn.Context(
        age=40, pregnant=True, sex="female"
    )


def test_an_empty_frame_gives_the_columns() -> None:
    out = assess_frame(pd.DataFrame({"ferritin": pd.Series([], dtype=float)}))
    assert list(out.columns) == COLUMNS
    assert len(out) == 0


def test_two_columns_for_one_analyte_are_refused() -> None:
    with pytest.raises(rn.InvalidArgumentError, match="both name ferritin"):
        assess_frame(pd.DataFrame({"ferritin": [1.0], "2276-4": [2.0]}))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"units": "metric"}, rn.InvalidArgumentError), ({"context": {"sex": "female"}}, TypeError)],
)
def test_bad_options_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        assess_frame(pd.DataFrame({"ferritin": [1.0]}), **kwargs)


def test_a_frame_is_needed() -> None:
    with pytest.raises(TypeError, match="DataFrame"):
        assess_frame([{"ferritin": 45}])  # type: ignore[arg-type]


def test_importing_rlsnutrition_imports_neither_pandas_nor_dask() -> None:
    code = (
        "import sys, rlsnutrition as rn; rn.assess({'ferritin': 45}); rn.cds.cards; "
        "bad = [m for m in ('pandas', 'numpy', 'dask', 'distributed') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_same_function_serves_dask_on_a_local_cluster() -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(7)
    pdf = pd.DataFrame(
        {
            "ferritin": rng.uniform(2, 400, 200).round(),
            "tsat": rng.uniform(3, 70, 200).round(),
            "vitamin_b12": rng.uniform(100, 900, 200).round(),
            "sex": rng.choice(["female", "male"], 200),
        }
    )
    ddf = dd.from_pandas(pdf, npartitions=4)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        got = ddf.map_partitions(assess_frame).compute()
    pd.testing.assert_frame_equal(got, assess_frame(pdf), check_dtype=False)


def test_tsat_is_derived_from_serum_iron_and_tibc_as_assess_derives_it() -> None:
    df = pd.DataFrame(
        {
            "ferritin": [150, 150, 150, 150],
            "serum_iron": [200, 40, 200, 300],
            "tibc": [250, 450, 250, 250],
            "tsat": [np.nan, np.nan, 30, np.nan],
        }
    )
    out = assess_frame(df)
    # 80 % is past the ceiling, 8.9 % below 20 %, a reported 30 % wins; iron 300 > TIBC 250
    assert list(out["iron_status"]) == ["high", "low", "adequate", None]
    assert out.loc[3, "error"].startswith("serum_iron 300")
    assert "tsat" not in out.loc[0, "missing_tests"]


def test_a_column_of_strings_is_read_as_assess_reads_each_one() -> None:
    spellings = [
        "45 ng/mL", "45 ug/L", "45. µg/L", ".5 ng/mL", "045 ng/mL", "45  ng/mL", "45ng/mL",
        " 45 ng/mL", "45 ng/mL ", "45 ng/mL\r", "<5 ng/mL", "≥300 ug/L", "1e3 ng/mL", "45",
        "45 furlongs", "lots", "١٢ ng/mL", "-4 ng/mL", "4" + "0" * 400 + " ng/mL", "",
        "75 ng/mL", "75.0000001 ng/mL", "100 µg/L", "45 ng/mL\t",
    ]  # fmt: skip
    tsat = ["18 %", "0.3 %", "0.3", "1 %", "100 %", "100.5 %"] * 4  # "0.3": a fraction, refused
    df = pd.DataFrame({"ferritin": spellings, "tsat": tsat})
    got = assess_frame(df)
    for row in range(len(df)):
        assert got.iloc[row].to_dict() == expected_row(df, row, None), spellings[row]
