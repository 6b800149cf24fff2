"""CDS Hooks 2.0 cards from an assessment (``rlsnutrition.cds``)."""

from __future__ import annotations

import json
import uuid

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn
from rlsnutrition import cds

# The card as the CDS Hooks 2.0 specification's "Card Attributes" table defines it.
CARD_SCHEMA = {
    "type": "object",
    "required": ["summary", "indicator", "source"],
    "properties": {
        "uuid": {"type": "string"},
        "summary": {"type": "string", "minLength": 1, "maxLength": 139},
        "detail": {"type": "string"},
        "indicator": {"enum": ["info", "warning", "critical"]},
        "source": {
            "type": "object",
            "required": ["label"],
            "properties": {
                "label": {"type": "string", "minLength": 1},
                "url": {"type": "string", "pattern": "^https?://"},
            },
        },
    },
}
ATTENTION = {"deficient", "low", "high", "indeterminate"}

PANELS = st.fixed_dictionaries(
    {},
    optional={
        "ferritin": st.floats(0, 1000, allow_nan=False),
        "tsat": st.floats(1, 100, allow_nan=False),
        "crp": st.floats(0, 50, allow_nan=False),
        "hemoglobin": st.floats(3, 20, allow_nan=False),
        "vitamin_b12": st.sampled_from([100, 250, 500, "<150", ">2000"]),
        "mma": st.floats(0, 2, allow_nan=False),
        "vitamin_d": st.floats(0, 150, allow_nan=False),
        "magnesium": st.floats(0.5, 4, allow_nan=False),
        "egfr": st.floats(5, 120, allow_nan=False),
        "folate": st.floats(0, 30, allow_nan=False),
        "plp": st.floats(0, 100, allow_nan=False),
    },
)
CONTEXTS = st.builds(
    rn.Context,
    sex=st.sampled_from(["female", "male", None]),
    age=st.one_of(st.none(), st.integers(5, 90)),
    kidney_disease=st.booleans(),
    dialysis=st.booleans(),
)


@given(PANELS, CONTEXTS)
def test_one_card_per_finding_that_needs_attention_and_per_warning(
    panel: dict[str, object], ctx: rn.Context
) -> None:
    result = rn.assess(panel, context=ctx)
    cards = cds.cards(result)
    needing = [f for f in result.findings if f.status.value in ATTENTION]
    assert len(cards) == len(needing) + len(result.warnings)
    for card in cards:
        jsonschema.validate(card, CARD_SCHEMA)
        assert len(card["summary"]) < 140
        assert card["source"]["url"].startswith("https://")
        assert result.disclaimer.split(";")[0].replace("rlsnutrition", "") in card["detail"]
        assert uuid.UUID(card["uuid"]).version == 4
    for card, finding in zip(cards, needing, strict=False):
        assert card["summary"].startswith(rn.lookup_nutrient(finding.nutrient).name + ":")
        for code in finding.action_codes():
            assert f"`{code}`" in card["detail"]
    for card, warning in zip(cards[len(needing) :], result.warnings, strict=True):
        assert f"`{warning.code}`" in card["detail"]
    assert len({c["uuid"] for c in cards}) == len(cards)
    json.dumps(cards, allow_nan=False)


def test_an_adequate_or_untested_person_gets_no_card() -> None:
    assert cds.cards(rn.assess({})) == []
    assert cds.cards(rn.assess({"ferritin": 150, "tsat": 30, "crp": 1})) == []


def test_indicators_follow_urgency() -> None:
    high = cds.cards(rn.assess({"ferritin": 150, "tsat": 60}), uuids=False)
    assert [(c["indicator"], c["summary"]) for c in high] == [
        ("warning", "Iron: high (ferritin 150 ng/mL, TSAT 60 %) - avoid iron supplements")
    ]
    low = cds.cards(rn.assess({"ferritin": 45, "tsat": 25}), uuids=False)
    assert [c["indicator"] for c in low] == ["info"]
    child = cds.cards(rn.assess({}, context=rn.Context(age=10)), uuids=False)
    assert [c["indicator"] for c in child] == ["info"]
    assert child[0]["source"] == dict(cds.PROJECT_SOURCE)


def test_a_finding_card_names_the_guideline_behind_it() -> None:
    (card,) = cds.cards(rn.assess({"ferritin": 45, "tsat": 25}), uuids=False)
    references = rn.assess({"ferritin": 45, "tsat": 25}).finding("iron").references
    guideline = next(r for r in references if r.kind in ("guideline", "consensus"))
    assert card["source"]["url"] in (guideline.url, f"https://doi.org/{guideline.doi}")
    for r in references:
        assert r.year and str(r.year) in card["detail"]


def test_detail_is_markdown_that_shows_values_as_they_are() -> None:
    (card,) = cds.cards(rn.assess({"vitamin_b12": "<150"}), uuids=False)
    assert "\\<150" in card["detail"]  # not the start of an HTML tag
    assert "<150" not in card["detail"].replace("\\<", "")
    assert card["detail"].rstrip().endswith("*")  # the disclaimer, in italics, last


def test_without_uuids_cards_compare_equal_across_calls() -> None:
    result = rn.assess({"ferritin": 10, "tsat": 10, "crp": 20})
    first = cds.cards(result, uuids=False)
    assert first == cds.cards(result, uuids=False)
    assert all("uuid" not in c for c in first)


def test_a_long_warning_is_cut_to_a_summary_at_a_word() -> None:
    long = rn.Note("medication-may-worsen-rls", "Sertraline " * 30)
    result = rn.Assessment(findings=(), warnings=(long,))
    (card,) = cds.cards(result, uuids=False)
    assert len(card["summary"]) < 140
    assert card["summary"].endswith("Sertraline\u2026")
    assert card["indicator"] == "warning"
    assert long.text.strip() in card["detail"]


def test_your_source_names_cards_without_a_reference_of_their_own() -> None:
    mine = {"label": "Sleep clinic service", "url": "https://example.org/rls"}
    (card,) = cds.cards(rn.assess({}, context=rn.Context(age=10)), source=mine)
    assert card["source"] == mine


@pytest.mark.parametrize("source", [{}, {"label": ""}, {"url": "https://x.org"}, "label"])
def test_a_source_without_a_label_is_refused(source: object) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="label"):
        cds.cards(rn.assess({}), source=source)  # type: ignore[arg-type]


def test_cards_take_an_assessment() -> None:
    with pytest.raises(TypeError, match="Assessment"):
        cds.cards({"findings": []})  # type: ignore[arg-type]
