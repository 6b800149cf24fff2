"""Every clinical vignette gives the verdict its guideline sentence calls for."""

from __future__ import annotations

import pytest
from vignettes import VIGNETTES, Vignette

import rlsnutrition as rn


@pytest.mark.parametrize("v", VIGNETTES, ids=[v.title for v in VIGNETTES])
def test_vignette(v: Vignette) -> None:
    result = rn.assess(v.labs, context=rn.Context(**v.context))  # type: ignore[arg-type]
    f = result.finding(v.nutrient)
    assert (f.status.value, f.action_codes()) == (v.status, v.codes), f.rationale
    if v.warnings is not None:
        assert tuple(w.code for w in result.warnings) == v.warnings


def test_the_ferritin_ceiling_says_why_iron_is_not_suggested() -> None:
    f = rn.assess({"ferritin": 500, "tsat": 15}).finding("iron")
    assert "iron is not suggested" in f.rationale
    assert "300" in f.rationale


def test_a_non_fasting_sample_is_named_with_what_to_do() -> None:
    f = rn.assess({"ferritin": 10, "tsat": 50}).finding("iron")
    assert "not taken fasting" in f.rationale
    assert "24 hours" in f.rationale


def test_one_iron_value_puts_the_other_in_missing_tests() -> None:
    assert "ferritin" in rn.assess({"tsat": 30}).missing_tests
    assert "tsat" in rn.assess({"ferritin": 180}).missing_tests


def test_inflammation_keeps_the_actions_and_warns() -> None:
    a = rn.assess({"ferritin": 72, "tsat": 15, "crp": 10})
    assert [w.code for w in a.warnings] == ["ferritin-unreliable-inflammation"]


def test_children_are_told_the_paediatric_criterion_was_used() -> None:
    f = rn.assess({"ferritin": 40, "tsat": 25}, context=rn.Context(age=9)).finding("iron")
    assert "paediatric" in f.rationale
    adult = rn.assess({"ferritin": 40, "tsat": 25}, context=rn.Context(age=30)).finding("iron")
    assert "paediatric" not in adult.rationale


def test_a_raised_mma_with_kidney_impairment_says_kidney_failure_raises_it() -> None:
    f = rn.assess({"vitamin_b12": 500, "mma": "400 nmol/L", "egfr": 40}).finding("vitamin_b12")
    assert "reduced kidney function raises MMA" in f.rationale
    assert any(v.analyte == "egfr" for v in f.values)


def test_magnesium_between_075_and_085_is_a_note_not_a_verdict() -> None:
    f = rn.assess({"magnesium": "0.8 mmol/L"}).finding("magnesium")
    assert f.status is rn.Status.ADEQUATE
    assert "Costello" in f.rationale


def test_a_rationale_quotes_only_the_cut_offs_that_decided() -> None:
    f = rn.assess({"ferritin": 40, "tsat": 25}).finding("iron")
    assert "between 75" not in f.rationale
    assert "100 ng/mL" not in f.rationale


def test_mma_without_serum_b12_asks_for_the_serum_b12() -> None:
    a = rn.assess({"mma": "800 nmol/L"})
    assert a.finding("vitamin_b12").status is rn.Status.DEFICIENT
    assert "serum vitamin b12 was not measured" in a.finding("vitamin_b12").rationale.lower()
    assert "vitamin_b12" in a.missing_tests
    assert "vitamin_b12" not in rn.assess({"mma": 0.2, "vitamin_b12": 400}).missing_tests
