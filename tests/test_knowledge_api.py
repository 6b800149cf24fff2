"""The public knowledge API beyond nutrients: analytes, thresholds, conversion, vocabularies,
and the package's public face (what `dir`, reprs and type checkers see)."""

from __future__ import annotations

import math
import pickle
import subprocess
import sys
import typing
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import model

ANALYTE_IDS = [a.id for a in rn.analytes()]


def test_analytes_are_the_fifteen_of_the_design_each_with_units_and_codes() -> None:
    assert len(ANALYTE_IDS) == 15
    assert len(set(ANALYTE_IDS)) == 15
    for a in rn.analytes():
        assert a.units[0].unit == a.default_unit
        assert a.loinc, a.id


@pytest.mark.parametrize(
    ("key", "expected"),
    [("ferritin", "ferritin"), ("2276-4", "ferritin"), ("Transferrin saturation", "tsat"),
     ("25-OH vitamin D", "vitamin_d"), ("B12", "vitamin_b12")],
)  # fmt: skip
def test_lookup_analyte_takes_ids_aliases_and_loinc_codes(key: str, expected: str) -> None:
    assert rn.lookup_analyte(key).id == expected


def test_every_analyte_name_alias_and_code_finds_its_analyte() -> None:
    for a in rn.analytes():
        for key in (a.id, a.name, *a.aliases, *a.loinc):
            assert rn.lookup_analyte(key) is a, key


def test_an_unknown_analyte_suggests_and_lists_every_analyte_from_the_data() -> None:
    with pytest.raises(rn.UnknownAnalyteError) as info:
        rn.lookup_analyte("feritin")
    assert isinstance(info.value, LookupError)
    assert "ferritin" in info.value.suggestions
    assert info.value.accepted == tuple(ANALYTE_IDS)
    for analyte in ANALYTE_IDS:
        assert analyte in str(info.value)
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value)
    assert back.accepted == info.value.accepted


def test_lookup_analyte_of_a_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        rn.lookup_analyte(2276)  # type: ignore[arg-type]


def test_thresholds_are_cited_and_by_nutrient_cover_its_lab_tests() -> None:
    every = rn.thresholds()
    assert every
    for t in every:
        assert t.references, t.id
        assert t.comparator in model.COMPARATORS
        assert rn.lookup_analyte(t.analyte).id == t.analyte
    by_nutrient = [t for n in rn.nutrients() for t in rn.thresholds(n)]
    tested = {test for n in rn.nutrients() for test in n.lab_tests}
    # Each threshold belongs to the nutrients whose lab tests it judges; eGFR (kidney
    # function, which changes how magnesium is judged) is no nutrient's lab test.
    assert {t.id for t in by_nutrient} == {t.id for t in every if t.analyte in tested}
    assert {t.analyte for t in every} - tested == {"egfr"}
    iron = rn.thresholds("Fe")
    assert {t.analyte for t in iron} <= set(rn.lookup_nutrient("iron").lab_tests)
    assert "iron.tsat.ceiling" in {t.id for t in iron}
    assert rn.thresholds("vitamin d") == tuple(t for t in every if t.analyte == "vitamin_d")
    with pytest.raises(rn.UnknownNutrientError):
        rn.thresholds("zinc")


def test_convert_uses_the_published_factors() -> None:
    assert rn.convert(30, "ng/mL", "nmol/L", analyte="vitamin_d") == pytest.approx(74.88, 1e-3)
    assert rn.convert(45, "mcg/L", "ng/mL", analyte="ferritin") == 45
    assert rn.convert(2.0, "mmol/L", "mg/dL", analyte="magnesium") == pytest.approx(4.86, 1e-3)
    assert rn.convert(1, "ng/mL", "ng/mL", analyte=rn.lookup_analyte("vitamin_d")) == 1


def test_convert_agrees_with_how_assess_reads_a_unit() -> None:
    a = rn.assess({"vitamin_d": "50 nmol/L"})
    judged = a.finding("vitamin_d").values[0]
    assert judged.value == pytest.approx(rn.convert(50, "nmol/L", "ng/mL", analyte="vitamin_d"))


@pytest.mark.parametrize("unit", ["furlongs", "", "  ", None, 5])
def test_convert_refuses_a_unit_the_analyte_does_not_take(unit: object) -> None:
    with pytest.raises(rn.UnknownUnitError, match="accepted: ng/mL"):
        rn.convert(1, unit, "ng/mL", analyte="vitamin_d")  # type: ignore[arg-type]
    with pytest.raises(rn.UnknownUnitError, match="vitamin_d"):
        rn.convert(1, "ng/mL", unit, analyte="vitamin_d")  # type: ignore[arg-type]


def test_convert_refuses_a_unit_of_another_analyte_and_an_unknown_analyte() -> None:
    with pytest.raises(rn.UnknownUnitError):
        rn.convert(1, "mmol/L", "ng/mL", analyte="ferritin")
    with pytest.raises(rn.UnknownAnalyteError):
        rn.convert(1, "ng/mL", "ng/mL", analyte="ferritn")
    with pytest.raises(TypeError):
        rn.convert("1", "ng/mL", "ng/mL", analyte="ferritin")  # type: ignore[arg-type]


@given(
    st.sampled_from(
        [(a.id, u.unit, v.unit) for a in rn.analytes() for u in a.units for v in a.units]
    ),
    st.floats(min_value=0, max_value=1e6, allow_subnormal=False),
)
def test_convert_there_and_back_is_the_value(case: tuple[str, str, str], value: float) -> None:
    analyte, source, target = case
    there = rn.convert(value, source, target, analyte=analyte)
    assert math.isclose(rn.convert(there, target, source, analyte=analyte), value, rel_tol=1e-12)


@given(st.text(min_size=201, max_size=400) | st.text().map(lambda t: "iron" * 60 + t))
def test_an_absurdly_long_name_is_refused_saying_what_is_accepted(name: str) -> None:
    with pytest.raises(rn.UnknownNutrientError) as nutrient:
        rn.lookup_nutrient(name)
    assert "at most 200" in str(nutrient.value)
    assert "vitamin_b12" in str(nutrient.value)
    with pytest.raises(rn.UnknownAnalyteError) as analyte:
        rn.lookup_analyte(name)
    assert "at most 200" in str(analyte.value)


def test_a_megabyte_name_is_refused_before_it_is_normalised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rlsnutrition import _knowledge

    real = _knowledge.normalize_name

    def normalize_name(name: str) -> str:
        assert len(name) <= 200, "a name this long must not be normalised"
        return real(name)

    monkeypatch.setattr(_knowledge, "normalize_name", normalize_name)
    for lookup, error in [
        (rn.lookup_nutrient, rn.UnknownNutrientError),
        (rn.lookup_analyte, rn.UnknownAnalyteError),
        (rn.foods_rich_in, rn.UnknownNutrientError),
    ]:
        with pytest.raises(error):
            lookup("ｉ" * 1_000_000)  # type: ignore[operator]
    with pytest.raises(rn.UnknownAnalyteError):
        rn.assess({"ｆ" * 1_000_000: 5})


def test_long_unit_strings_do_not_fill_the_unit_cache() -> None:
    from rlsnutrition._normalize import _normalize_short_unit

    before = _normalize_short_unit.cache_info().currsize
    for i in range(50):
        with pytest.raises(rn.UnknownUnitError):
            rn.convert(1, f"{i}" + "x" * 100_000, "ng/mL", analyte="ferritin")
    assert _normalize_short_unit.cache_info().currsize <= before + 1


@given(
    st.sampled_from(rn.nutrients()),
    st.text(min_size=1).filter(lambda s: s not in {n.id for n in rn.nutrients()}),
)
def test_foods_rich_in_a_modified_nutrient_is_an_unknown_nutrient(
    nutrient: rn.Nutrient, new_id: str
) -> None:
    changed = attrs.evolve(nutrient, id=new_id)
    with pytest.raises(rn.UnknownNutrientError):
        rn.foods_rich_in(changed)
    # Changing anything but the id keeps it the packaged nutrient's foods.
    assert rn.foods_rich_in(attrs.evolve(nutrient, foods=())) == rn.foods_rich_in(nutrient.id)


def test_each_vocabulary_is_written_once_as_a_literal() -> None:
    assert model.DIETS == typing.get_args(rn.Diet) == ("vegan", "vegetarian", "pescatarian")
    assert typing.get_args(rn.FactorKind) == model.FACTOR_KINDS
    assert model.SEXES == typing.get_args(rn.Sex) == ("female", "male")
    assert typing.get_args(rn.Comparator) == model.COMPARATORS
    assert tuple(n.id for n in rn.nutrients()) == model.NUTRIENT_IDS
    hints = typing.get_type_hints(rn.foods_rich_in)
    assert hints["diet"] == rn.Diet | None
    assert typing.get_type_hints(rn.rls_factors)["kind"] == rn.FactorKind | None
    assert typing.get_type_hints(rn.Context)["sex"] == rn.Sex | None
    assert {f.kind for f in rn.rls_factors()} == set(model.FACTOR_KINDS)


def test_dir_lists_only_the_public_names() -> None:
    names = dir(rn)
    assert set(names) == {*rn.__all__, "fhir", "cds"}
    for private in ("Any", "TYPE_CHECKING", "importlib", "_LAZY", "annotations"):
        assert private not in names


def test_public_classes_and_functions_show_their_public_path() -> None:
    for name in rn.__all__:
        obj = getattr(rn, name)
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__code__")):
            assert obj.__module__ == "rlsnutrition", name
    assert repr(rn.Nutrient) == "<class 'rlsnutrition.Nutrient'>"
    assert rn.FhirLabs is rn.fhir.FhirLabs


def test_results_of_renamed_classes_still_pickle_and_structure() -> None:
    a = rn.assess({"ferritin": 40, "tsat": 18})
    assert pickle.loads(pickle.dumps(a)) == a
    assert rn.Assessment.from_dict(a.to_dict()) == a


def test_the_fhir_reader_is_not_imported_by_import_rlsnutrition() -> None:
    code = (
        "import sys, rlsnutrition as rn\n"
        "rn.lookup_nutrient('iron'); rn.KnowledgeInfo; rn.Evidence\n"
        "assert 'rlsnutrition.fhir' not in sys.modules\n"
        "assert rn.FhirLabs.__name__ == 'FhirLabs' and 'rlsnutrition.fhir' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


CONSUMER = """
import rlsnutrition as rn
from rlsnutrition import DailyValue, Evidence, FhirLabs, Intake, KnowledgeInfo

def first_food(diet: rn.Diet) -> str:
    return rn.foods_rich_in("iron", diet=diet, limit=1)[0].name

info: KnowledgeInfo = rn.knowledge_info()
evidence: Evidence = rn.lookup_nutrient("iron").evidence
dv: DailyValue = rn.lookup_nutrient("iron").daily_value
intakes: tuple[Intake, ...] = rn.lookup_nutrient("iron").intakes
labs: FhirLabs = rn.fhir.read({"resourceType": "Bundle", "type": "collection", "entry": []})
value: float = rn.convert(30, "ng/mL", "nmol/L", analyte="vitamin_d")
kinds = [f.kind for f in rn.rls_factors("medicine")]
first_food("vegan")
"""


def test_a_consumer_type_checks_strictly_against_the_package(tmp_path: Path) -> None:
    from mypy import api as mypy_api

    consumer = tmp_path / "consumer.py"
    consumer.write_text(CONSUMER, "utf-8")
    out, err, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(consumer)]
    )
    assert status == 0, out + err
    wrong = tmp_path / "wrong.py"
    wrong.write_text(
        "import rlsnutrition as rn\nrn.foods_rich_in('iron', diet='carnivore')\n"
        "x: int = rn.fhir.read('f.json')\n",
        "utf-8",
    )
    out, _, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(wrong)]
    )
    assert status == 1
    assert "carnivore" in out and "FhirLabs" in out


_NAMES = [n for nut in rn.nutrients() for n in (nut.id, nut.name, *nut.aliases, *nut.forms)]
_NAMES += [n for a in rn.analytes() for n in (a.id, *a.aliases)]


@st.composite
def _near_misses(draw: st.DrawFn) -> str:
    """A known name with a few letters dropped, doubled or changed, or any text."""
    if draw(st.booleans()):
        return draw(st.text(max_size=30))
    chars = list(draw(st.sampled_from(_NAMES)))
    for _ in range(draw(st.integers(0, 3))):
        if not chars:
            break
        i = draw(st.integers(0, len(chars) - 1))
        edit = draw(st.sampled_from(["drop", "double", "change"]))
        if edit == "drop":
            del chars[i]
        elif edit == "double":
            chars.insert(i, chars[i])
        else:
            chars[i] = draw(st.sampled_from("aeioubcdfmnrstxyz"))
    return "".join(chars)


@given(_near_misses())
def test_suggestions_are_exactly_difflibs_close_matches(name: str) -> None:
    import difflib

    from rlsnutrition._knowledge import close_names, knowledge
    from rlsnutrition._normalize import normalize_name

    k = knowledge()
    for table in (k.nutrient_names, k.analyte_names):
        shown = {c.key: c.shown for c in table}
        expected = difflib.get_close_matches(normalize_name(name), shown, n=3, cutoff=0.6)
        assert close_names(name, table) == tuple(shown[key] for key in expected)


@given(huge=st.integers(min_value=10**309, max_value=10**4000))
def test_convert_refuses_a_number_no_float_holds(huge: int) -> None:
    with pytest.raises(rn.InvalidLabValueError, match="too large"):
        rn.convert(huge, "ng/mL", "ug/L", analyte="ferritin")
