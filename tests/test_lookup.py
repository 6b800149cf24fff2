"""What a user relies on when looking nutrients and foods up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition._normalize import normalize_name

IDS = ("iron", "magnesium", "vitamin_b12", "vitamin_b6", "vitamin_d", "folate")


def test_nutrients_are_the_six_in_design_order() -> None:
    assert tuple(n.id for n in rn.nutrients()) == IDS


def test_nutrients_is_the_same_object_every_time() -> None:
    assert rn.nutrients() is rn.nutrients()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("iron", "iron"),
        ("Fe", "iron"),
        ("ferrous sulfate", "iron"),
        ("heme iron", "iron"),
        ("Magnesium", "magnesium"),
        ("B-12", "vitamin_b12"),
        ("b12", "vitamin_b12"),
        ("Vitamin B12", "vitamin_b12"),
        ("cobalamin", "vitamin_b12"),
        ("methylcobalamin", "vitamin_b12"),
        ("cyanocobalamin", "vitamin_b12"),
        ("pyridoxine", "vitamin_b6"),
        ("PLP", "vitamin_b6"),
        ("pyridoxal 5'-phosphate", "vitamin_b6"),
        ("B6", "vitamin_b6"),
        ("cholecalciferol", "vitamin_d"),
        ("ergocalciferol", "vitamin_d"),
        ("D3", "vitamin_d"),
        ("D2", "vitamin_d"),
        ("calcifediol", "vitamin_d"),
        ("25-OH D", "vitamin_d"),
        ("folic acid", "folate"),
        ("B9", "folate"),
        ("methylfolate", "folate"),
        ("VITAMIN_D", "vitamin_d"),
        ("  vitamin . b-12 ", "vitamin_b12"),
        # names people type
        ("ｉｒｏｎ", "iron"),  # full-width, as some input methods type it
        ("ferrous sulphate", "iron"),
        ("haem iron", "iron"),
        ("vit D", "vitamin_d"),
        ("calcidiol", "vitamin_d"),
        ("vit b12", "vitamin_b12"),
        ("magnesium sulphate", "magnesium"),
    ],
)
def test_lookup_finds_ids_names_aliases_and_forms(name: str, expected: str) -> None:
    assert rn.lookup_nutrient(name).id == expected


def test_every_alias_and_form_in_the_data_resolves_to_its_own_nutrient() -> None:
    for n in rn.nutrients():
        for name in (n.id, n.name, *n.aliases, *n.forms):
            assert rn.lookup_nutrient(name).id == n.id, name


def test_unknown_nutrient_error_is_a_lookup_error_with_suggestions() -> None:
    with pytest.raises(rn.UnknownNutrientError) as info:
        rn.lookup_nutrient("magnesum")
    err = info.value
    assert isinstance(err, LookupError)
    assert isinstance(err, rn.RLSNutritionError)
    assert "Magnesium" in err.suggestions or "magnesium" in err.suggestions
    assert "magnesum" in str(err)


def test_unknown_nutrient_with_nothing_close_has_no_suggestions() -> None:
    with pytest.raises(rn.UnknownNutrientError) as info:
        rn.lookup_nutrient("qqqqqqqqqqqq")
    assert info.value.suggestions == ()


def test_lookup_of_a_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        rn.lookup_nutrient(5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rn.lookup_nutrient(["iron"])  # type: ignore[arg-type]


@given(st.text())
def test_any_string_gives_a_nutrient_or_unknown_nutrient_error(name: str) -> None:
    try:
        n = rn.lookup_nutrient(name)
    except rn.UnknownNutrientError as exc:
        assert all(isinstance(s, str) for s in exc.suggestions)
    else:
        assert n.id in IDS


_NOISE = st.sampled_from([" ", "-", "_", ".", "  ", "\t"])


@given(
    st.sampled_from([(n.id, a) for n in rn.nutrients() for a in (n.id, *n.aliases, *n.forms)]),
    st.lists(st.tuples(st.integers(0, 40), _NOISE), max_size=4),
    st.lists(st.booleans(), min_size=40, max_size=40),
)
def test_lookup_ignores_case_spaces_hyphens_underscores_and_dots(
    pair: tuple[str, str], noise: list[tuple[int, str]], upper: list[bool]
) -> None:
    nid, name = pair
    chars = [c.upper() if upper[i % 40] else c.lower() for i, c in enumerate(name)]
    for pos, junk in noise:
        chars.insert(min(pos, len(chars)), junk)
    assert rn.lookup_nutrient("".join(chars)).id == nid


@given(st.text())
def test_normalisation_is_idempotent(name: str) -> None:
    assert normalize_name(normalize_name(name)) == normalize_name(name)


@pytest.mark.parametrize("nid", IDS)
def test_foods_are_richest_per_serving_first(nid: str) -> None:
    foods = rn.foods_rich_in(nid)
    assert len(foods) >= 12
    amounts = [f.amount for f in foods]
    assert amounts == sorted(amounts, reverse=True)


@given(
    st.sampled_from(IDS),
    st.one_of(st.none(), st.integers(0, 50)),
    st.sampled_from([None, "vegan", "vegetarian", "pescatarian"]),
)
def test_foods_rich_in_respects_limit_order_and_diet(
    nid: str, limit: int | None, diet: str | None
) -> None:
    foods = rn.foods_rich_in(nid, limit=limit, diet=diet)
    everything = rn.foods_rich_in(nid, diet=diet)
    assert foods == everything[: len(foods)]
    if limit is not None:
        assert len(foods) == min(limit, len(everything))
    assert [f.amount for f in foods] == sorted((f.amount for f in foods), reverse=True)
    if diet is not None:
        assert all(diet in f.diets for f in foods)
        assert set(everything) <= set(rn.foods_rich_in(nid))


@pytest.mark.parametrize("nid", IDS)
def test_a_vegan_list_never_holds_animal_foods(nid: str) -> None:
    for food in rn.foods_rich_in(nid, diet="vegan"):
        assert food.food_group in ("plant", "fungus"), food
    for food in rn.foods_rich_in(nid, diet="vegetarian"):
        assert food.food_group in ("plant", "fungus", "egg", "dairy"), food
    for food in rn.foods_rich_in(nid, diet="pescatarian"):
        assert food.food_group not in ("meat", "poultry"), food


def test_foods_rich_in_takes_a_nutrient_or_any_name() -> None:
    iron = rn.lookup_nutrient("iron")
    assert rn.foods_rich_in(iron) == rn.foods_rich_in("Fe") == rn.foods_rich_in("iron")


@pytest.mark.parametrize("diet", ["keto", "", 3, ["vegan"]])
def test_foods_rich_in_rejects_an_unknown_diet(diet: object) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="diet"):
        rn.foods_rich_in("iron", diet=diet)  # type: ignore[arg-type]


def test_options_are_read_as_leniently_as_names() -> None:
    assert rn.foods_rich_in("iron", diet=" Vegan ") == rn.foods_rich_in("iron", diet="vegan")
    assert rn.rls_factors("Secondary_cause") == rn.rls_factors("secondary-cause")
    with pytest.raises(rn.InvalidArgumentError, match="kind"):
        rn.rls_factors("habit")


@pytest.mark.parametrize("limit", [-1, 1.5, "3", True])
def test_foods_rich_in_rejects_a_bad_limit(limit: object) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="limit"):
        rn.foods_rich_in("iron", limit=limit)  # type: ignore[arg-type]


def test_foods_rich_in_unknown_nutrient() -> None:
    with pytest.raises(rn.UnknownNutrientError):
        rn.foods_rich_in("unobtainium")


def test_reprs_are_short_and_the_summary_is_readable() -> None:
    iron = rn.lookup_nutrient("iron")
    assert repr(iron) == "Nutrient(id='iron', name='Iron')"
    food = rn.foods_rich_in("iron", limit=1)[0]
    assert len(repr(food)) < 160
    assert repr(food).startswith("FoodSource(")
    summary = iron.summary()
    assert summary == str(iron)
    assert summary.splitlines()[0] == "Iron (iron)"
    assert "RDA" in summary
    assert "Daily Value: 18 mg" in summary


def test_rls_factors_cover_triggers_causes_and_medicines() -> None:
    kinds = {f.kind for f in rn.rls_factors()}
    assert kinds == {"trigger", "secondary-cause", "medicine"}
    triggers = " ".join(" ".join((f.id, *f.aliases)) for f in rn.rls_factors("trigger"))
    assert all(word in triggers for word in ("caffeine", "alcohol", "nicotine"))
    medicines = " ".join(" ".join((f.name, *f.examples)) for f in rn.rls_factors("medicine"))
    assert "metoclopramide" in medicines.lower()
    with pytest.raises(rn.InvalidArgumentError):
        rn.rls_factors("food")


def test_knowledge_records_its_version_and_review_date() -> None:
    info = rn.knowledge_info()
    assert info.version
    assert len(info.reviewed) == 10


def test_every_record_has_a_repr_short_enough_for_a_repl() -> None:
    for n in rn.nutrients():
        records = [
            n,
            n.evidence,
            n.daily_value,
            *n.intakes,
            *n.upper_limits,
            *n.foods,
            *n.supplement_forms,
            *n.cautions,
            *n.interactions,
            *n.groups_at_risk,
            *n.references,
        ]
        for record in records:
            assert len(repr(record)) <= 200, repr(record)
    result = rn.assess({"ferritin": 45, "tsat": 18, "b12": 250, "crp": 12})
    assert len(repr(result)) <= 200
    assert all(len(repr(f)) <= 160 for f in result.findings)
