"""The packaged knowledge is whole: every number cited, every %DV consistent, ids unique."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from decimal import Decimal
from importlib.resources import files
from typing import Any

import attrs
import pytest

import rlsnutrition as rn
from rlsnutrition.model import DIETS_BY_FOOD_GROUP, Reference

IDS = ("iron", "magnesium", "vitamin_b12", "vitamin_b6", "vitamin_d", "folate")
# FDA Daily Values (2016 labelling rule, 21 CFR 101.9(c)(8)(iv)) the data must carry.
EXPECTED_DV = {
    "iron": (18, "mg"),
    "magnesium": (420, "mg"),
    "vitamin_b12": (2.4, "mcg"),
    "vitamin_b6": (1.7, "mg"),
    "vitamin_d": (20, "mcg"),
    "folate": (400, "mcg DFE"),
}


def _walk(obj: Any, path: str = "$") -> Any:
    """Every attrs record in the knowledge, with its path."""
    if attrs.has(type(obj)):
        yield path, obj
        for field in attrs.fields(type(obj)):
            yield from _walk(getattr(obj, field.name), f"{path}.{field.name}")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{path}[{i}]")


def _records() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for n in rn.nutrients():
        out += list(_walk(n, n.id))
    for a in rn.analytes():
        out += list(_walk(a, a.id))
    for t in rn.thresholds():
        out += list(_walk(t, t.id))
    for f in rn.rls_factors():
        out += list(_walk(f, f.id))
    return out


def _exempt(value: object) -> bool:
    """None, and metric-prefix factors (powers of ten: g/L to g/dL), need no citation."""
    if value is None:
        return True
    if isinstance(value, float | int) and value > 0:
        return math.isclose(math.log10(value), round(math.log10(value)), abs_tol=1e-12)
    return False


def test_every_record_with_a_number_carries_a_reference() -> None:
    numeric = ("amount", "value", "factor", "percent_dv", "max_plausible")
    for path, record in _records():
        if isinstance(record, Reference):
            continue
        names = {f.name for f in attrs.fields(type(record))}
        has_number = any(not _exempt(getattr(record, n)) for n in numeric if n in names)
        if has_number and "references" in names:
            assert record.references, f"{path} has a number but no reference"


def test_every_cited_text_carries_a_reference() -> None:
    for path, record in _records():
        names = {f.name for f in attrs.fields(type(record))}
        if "references" in names and not isinstance(record, Reference):
            if type(record).__name__ in ("UnitSpec",):
                continue  # the default unit (factor 1) needs none
            if isinstance(record, rn.Plausibility) and not record.references:
                # A sanity limit nothing citable sets: its reasoning must say so.
                assert record.reasoning.startswith("The project's own reasoning"), path
                continue
            assert record.references, f"{path} cites nothing"


def test_references_resolve_to_followable_sources() -> None:
    refs = {r.id: r for _, r in _records() if isinstance(r, rn.Reference)}
    assert len(refs) >= 20
    for ref in refs.values():
        assert ref.url or ref.doi or ref.pmid, ref.id
        if ref.doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", ref.doi), ref
        if ref.pmid:
            assert re.fullmatch(r"\d{5,9}", ref.pmid), ref
        if ref.url:
            assert ref.url.startswith("https://") or ref.url.startswith("http://"), ref
        assert 1950 <= ref.year <= 2026, ref


def _cited_ids(node: Any, top: bool = True) -> set[str]:
    """Every reference id cited below the top level of a data file."""
    if isinstance(node, dict):
        out: set[str] = set()
        for key, value in node.items():
            if key == "references" and not top:
                out.update(value)
            elif key != "references":
                out |= _cited_ids(value, top=False)
        return out
    if isinstance(node, list):
        return set().union(*(_cited_ids(v, top=False) for v in node))
    return set()


def test_every_reference_id_in_the_files_is_defined_in_that_file() -> None:
    data = files("rlsnutrition") / "data"
    names = [f"nutrients/{i}.json" for i in IDS] + [
        "analytes.json",
        "thresholds.json",
        "rules.json",
        "rls_factors.json",
    ]
    for name in names:
        resource = data
        for part in name.split("/"):
            resource = resource / part
        doc = json.loads(resource.read_text("utf-8"))
        defined = [r["id"] for r in doc["references"]]
        assert len(defined) == len(set(defined)), name
        cited = _cited_ids(doc)
        assert cited <= set(defined), (name, cited - set(defined))
        assert set(defined) <= cited, (name, "defined but never cited", set(defined) - cited)


@pytest.mark.parametrize("nid", IDS)
def test_daily_value_is_the_2016_fda_value(nid: str) -> None:
    dv = rn.lookup_nutrient(nid).daily_value
    assert (dv.amount, dv.unit) == EXPECTED_DV[nid]
    assert any(r.id == "fda-dv-2016" for r in dv.references)


@pytest.mark.parametrize("nid", IDS)
def test_percent_dv_agrees_with_amount_over_the_one_dv(nid: str) -> None:
    n = rn.lookup_nutrient(nid)
    for food in n.foods:
        assert food.unit == n.daily_value.unit, food
        if food.percent_dv is not None:
            # The tables print whole percentages computed from unrounded amounts, and print the
            # amounts rounded: the %DV must fit some amount that rounds to the printed one.
            half_step = 0.5 * 10.0 ** Decimal(repr(food.amount)).as_tuple().exponent
            low = (food.amount - float(half_step)) / n.daily_value.amount * 100 - 0.5
            high = (food.amount + float(half_step)) / n.daily_value.amount * 100 + 0.5
            assert low <= food.percent_dv <= high, (food, low, high)


@pytest.mark.parametrize("nid", IDS)
def test_no_duplicate_foods(nid: str) -> None:
    foods = rn.lookup_nutrient(nid).foods
    counts = Counter((f.name.casefold(), f.serving.casefold()) for f in foods)
    assert [k for k, c in counts.items() if c > 1] == []


@pytest.mark.parametrize("nid", IDS)
def test_diet_tags_agree_with_food_group(nid: str) -> None:
    for food in rn.lookup_nutrient(nid).foods:
        assert set(food.diets) == DIETS_BY_FOOD_GROUP[food.food_group], food


@pytest.mark.parametrize("nid", IDS)
def test_intakes_cover_adults_by_sex_pregnancy_and_lactation(nid: str) -> None:
    n = rn.lookup_nutrient(nid)
    for sex in ("female", "male"):
        for age in (19, 30, 31, 50, 51, 70, 71, 90):
            rows = [i for i in n.intakes if i.matches(age=age, sex=sex)]
            assert len(rows) == 1, (nid, sex, age, rows)
    for condition in ("pregnancy", "lactation"):
        for age in (19, 30, 31, 50):
            rows = [i for i in n.intakes if i.matches(age=age, sex="female", condition=condition)]
            assert len(rows) == 1, (nid, condition, age, rows)
    assert n.upper_limits, nid
    assert all(ul.applies_to for ul in n.upper_limits)


def test_upper_limits_say_what_they_cover() -> None:
    mg = rn.lookup_nutrient("magnesium").upper_limits[0]
    assert mg.amount == 350
    assert "supplement" in mg.applies_to.lower()
    folate = rn.lookup_nutrient("folate").upper_limits[0]
    assert folate.amount == 1000
    assert "folic acid" in folate.applies_to.lower()
    b12 = rn.lookup_nutrient("vitamin_b12").upper_limits[0]
    assert b12.amount is None


def test_ids_are_unique_everywhere() -> None:
    assert len({n.id for n in rn.nutrients()}) == 6
    assert len({a.id for a in rn.analytes()}) == len(rn.analytes()) == 15
    assert len({f.id for f in rn.rls_factors()}) == len(rn.rls_factors())
    assert len({t.id for t in rn.thresholds()}) == len(rn.thresholds())
    loinc = [code for a in rn.analytes() for code in a.loinc]
    assert len(loinc) == len(set(loinc))


def test_every_nutrient_has_two_or_more_rls_references_and_a_grade() -> None:
    for n in rn.nutrients():
        assert len(n.evidence.references) >= 2, n.id
        assert n.rls_role and n.mechanism
    iron_refs = {r.id for r in rn.lookup_nutrient("iron").evidence.references}
    assert {"aasm-rls-2024", "irlssg-iron-2018"} <= iron_refs


def test_lab_tests_and_analytes_point_at_each_other() -> None:
    for n in rn.nutrients():
        for test in n.lab_tests:
            assert rn.lookup_analyte(test).id == test
    assert [a.id for a in rn.analytes()] == [
        "ferritin", "tsat", "serum_iron", "tibc", "hemoglobin", "crp", "vitamin_b12", "mma",
        "homocysteine", "vitamin_d", "folate", "rbc_folate", "magnesium", "plp", "egfr",
    ]  # fmt: skip


def test_no_supplement_text_prescribes_a_dose() -> None:
    dose = re.compile(r"\btake\s+\d", re.IGNORECASE)
    for _, record in _records():
        for field in ("notes", "text", "rls_role", "mechanism", "summary"):
            value = getattr(record, field, None)
            if isinstance(value, str):
                assert not dose.search(value), value
