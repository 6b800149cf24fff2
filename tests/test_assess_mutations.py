"""Mutation-minded checks: the clinical numbers, the unit factors and the adult age are
written out here, independently of the library, so that changing any of them in the data (or
in the code) fails a test. Verdict-level vignettes on both sides of each cut-off are in
tests/vignettes.py; these tables catch what a verdict cannot show (a threshold only quoted in
a rationale, a factor of an analyte no rule reads)."""

from __future__ import annotations

import pytest

import rlsnutrition as rn

# Every threshold as its source states it: comparator, value, unit, published equivalents.
THRESHOLDS = {
    "iron.ferritin.oral_iron": ("<=", 75, "ng/mL", ()),
    "iron.tsat.oral_iron": ("<", 20, "%", ()),
    "iron.ferritin.iv_iron": ("<=", 100, "ng/mL", ()),
    "iron.tsat.ceiling": (">=", 45, "%", ()),
    "iron.ferritin.ceiling": (">=", 300, "µg/L", ()),
    "iron.ferritin.oral_iron_child": ("<", 50, "ng/mL", ()),
    "iron.esrd.ferritin.iv_iron": ("<", 200, "ng/mL", ()),
    "iron.esrd.tsat.iv_iron": ("<", 20, "%", ()),
    "iron.ferritin.deficient": ("<", 15, "µg/L", ()),
    "iron.ferritin.deficient_inflammation": ("<", 70, "µg/L", ()),
    "iron.ferritin.deficient_under5": ("<", 12, "µg/L", ()),
    "iron.ferritin.deficient_inflammation_under5": ("<", 30, "µg/L", ()),
    "iron.crp.inflammation": (">", 5, "mg/L", ()),
    "iron.hemoglobin.anaemia_female": ("<", 120, "g/L", ((12.0, "g/dL"),)),
    "iron.hemoglobin.anaemia_male": ("<", 130, "g/L", ((13.0, "g/dL"),)),
    "iron.hemoglobin.anaemia_pregnant": ("<", 110, "g/L", ((11.0, "g/dL"),)),
    "iron.hemoglobin.anaemia_6_23_months": ("<", 105, "g/L", ((10.5, "g/dL"),)),
    "iron.hemoglobin.anaemia_24_59_months": ("<", 110, "g/L", ((11.0, "g/dL"),)),
    "iron.hemoglobin.anaemia_5_11_years": ("<", 115, "g/L", ((11.5, "g/dL"),)),
    "iron.hemoglobin.anaemia_12_14_years": ("<", 120, "g/L", ((12.0, "g/dL"),)),
    "kidney.egfr.impaired": ("<", 60, "mL/min/1.73m2", ()),
    "b12.serum.deficient": ("<", 180, "ng/L", ((133.0, "pmol/L"),)),
    "b12.mma.elevated": (">", 271, "nmol/L", ()),
    "vitd.deficient": ("<", 30, "nmol/L", ((12.0, "ng/mL"),)),
    "vitd.inadequate": ("<", 50, "nmol/L", ((20.0, "ng/mL"),)),
    "vitd.high": (">", 125, "nmol/L", ((50.0, "ng/mL"),)),
    "folate.serum.deficient": ("<", 3, "ng/mL", ((6.8, "nmol/L"),)),
    "folate.serum.possible_deficiency": ("<", 10, "nmol/L", ((4.0, "ng/mL"),)),
    "folate.rbc.deficient": ("<", 100, "ng/mL", ((226.5, "nmol/L"),)),
    "folate.rbc.possible_deficiency": ("<", 340, "nmol/L", ()),
    "folate.rbc.ntd_prevention": ("<=", 400, "ng/mL", ((906.0, "nmol/L"),)),
    "mg.serum.deficient": ("<", 0.75, "mmol/L", ()),
    "mg.serum.low": ("<", 0.85, "mmol/L", ()),
    "mg.serum.high": (">", 0.95, "mmol/L", ()),
    "mg.serum.hypermagnesaemia": (">", 1.0, "mmol/L", ()),
    "mg.serum.severe": (">", 2.0, "mmol/L", ()),
    "b6.plp.deficient": ("<", 20, "nmol/L", ()),
    "b6.plp.low": ("<", 30, "nmol/L", ()),
    "b12.serum.borderline": ("<", 350, "pg/mL", ((258.0, "pmol/L"),)),
    "b12.homocysteine.elevated": (">", 20, "µmol/L", ()),
}

# Each accepted unit's factor to the analyte's default unit, from molar masses (IUPAC 2013
# atomic weights; cobalamin 1355.37, 25(OH)D3 400.64, folic acid 441.4, PLP 247.14 g/mol;
# hemoglobin per monomer 16,114.5 g/mol) or the definition of the unit.
FACTORS = {
    ("ferritin", "µg/L"): 1.0,
    ("serum_iron", "µmol/L"): 55.845 / 10,
    ("tibc", "µmol/L"): 55.845 / 10,
    ("hemoglobin", "g/L"): 0.1,
    ("hemoglobin", "mmol/L"): 16.1145 / 10,
    ("crp", "mg/dL"): 10.0,
    ("vitamin_b12", "ng/L"): 1.0,
    ("vitamin_b12", "pmol/L"): 1355.37 / 1000,
    ("mma", "nmol/L"): 0.001,
    ("vitamin_d", "µg/L"): 1.0,
    ("vitamin_d", "nmol/L"): 400.64 / 1000,
    ("folate", "µg/L"): 1.0,
    ("folate", "nmol/L"): 441.4 / 1000,
    ("rbc_folate", "µg/L"): 1.0,
    ("rbc_folate", "nmol/L"): 441.4 / 1000,
    ("magnesium", "mmol/L"): 24.305 / 10,
    ("magnesium", "mEq/L"): 24.305 / 20,
    ("magnesium", "mg/L"): 0.1,
    ("plp", "µg/L"): 1000 / 247.14,
    ("plp", "ng/mL"): 1000 / 247.14,
}


def test_every_threshold_is_the_figure_its_source_states() -> None:
    found = {
        t.id: (t.comparator, t.value, t.unit, tuple((e.value, e.unit) for e in t.equivalents))
        for t in rn.thresholds()
    }
    assert found == THRESHOLDS


@pytest.mark.parametrize(("analyte", "unit"), sorted(FACTORS))
def test_every_unit_factor_is_the_one_chemistry_gives(analyte: str, unit: str) -> None:
    default = rn.lookup_analyte(analyte).default_unit
    assert rn.convert(1.0, unit, default, analyte=analyte) == pytest.approx(
        FACTORS[analyte, unit], rel=2e-4
    )


def test_every_accepted_unit_has_a_factor_here() -> None:
    accepted = {(a.id, u.unit) for a in rn.analytes() for u in a.units[1:]}
    assert accepted == set(FACTORS)


@pytest.mark.parametrize(("analyte", "unit"), sorted(FACTORS))
def test_a_value_in_any_unit_is_judged_as_its_converted_value(analyte: str, unit: str) -> None:
    # Mid-way between cut points in the default unit, so rounding cannot matter.
    default = rn.lookup_analyte(analyte).default_unit
    for value in (0.37, 1.9, 23.3, 77.7, 191.0):
        try:
            as_default = rn.assess({analyte: (value, default)})
        except rn.InvalidLabValueError:  # past a plausibility bound
            continue
        given = value / FACTORS[analyte, unit]
        as_unit = rn.assess({analyte: f"{given!r} {unit}"})
        assert [(f.status, f.action_codes()) for f in as_unit.findings] == [
            (f.status, f.action_codes()) for f in as_default.findings
        ]
        (judged,) = {v for f in as_unit.findings for v in f.values}
        assert judged.value == pytest.approx(value, rel=2e-4)


@pytest.mark.parametrize(
    ("age", "status"), [(17, rn.Status.ADEQUATE), (18, rn.Status.LOW), (None, rn.Status.LOW)]
)
def test_the_adult_criteria_start_at_18(age: int | None, status: rn.Status) -> None:
    # ferritin 60: above the paediatric criterion (< 50), below the adult one (<= 75)
    f = rn.assess({"ferritin": 60, "tsat": 25}, context=rn.Context(age=age)).finding("iron")
    assert f.status is status


# Thresholds no rule consults, each documented as informational in docs/clinical-basis.md.
INFORMATIONAL = {"folate.rbc.ntd_prevention"}


def test_every_threshold_is_consulted_by_a_rule_or_documented_as_informational(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run every vignette and record the thresholds the rules compare a value with (and the
    hemoglobin cut-offs the warnings use): a threshold no rule reads is dead data, and
    changing it would fail nothing."""
    from pathlib import Path

    from vignettes import VIGNETTES

    from rlsnutrition import _panel, _rules

    consulted: set[str] = set()
    check = _rules.Judge.check
    cutoff = _rules.hemoglobin_cutoff

    def recording(self: _rules.Judge, tid: str, x: float, *, explain: str = "held") -> bool:
        consulted.add(tid)
        return check(self, tid, x, explain=explain)

    def recording_cutoff(ctx: rn.Context, rules: _rules.Rules) -> _rules.Cut | None:
        cut = cutoff(ctx, rules)
        if cut is not None:
            consulted.add(cut.threshold.id)
        return cut

    monkeypatch.setattr(_rules.Judge, "check", recording)
    monkeypatch.setattr(_panel, "hemoglobin_cutoff", recording_cutoff)
    from rlsnutrition._knowledge import knowledge

    _panel.panel_for(_rules.rules_for(knowledge())).memo.clear()
    for v in VIGNETTES:
        rn.assess(v.labs, context=rn.Context(**v.context))  # type: ignore[arg-type]
    every = {t.id for t in rn.thresholds()}
    assert every - consulted == INFORMATIONAL
    basis = (Path(__file__).parent.parent / "docs" / "clinical-basis.md").read_text("utf-8")
    for tid in INFORMATIONAL:
        assert f"`{tid}` is a population-level" in basis
