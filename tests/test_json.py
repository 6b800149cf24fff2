"""The JSON form of an Assessment: JSON types only, format 1, a strict reader, and its schema."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import attrs
import jsonschema
import pytest
import yaml
from conftest import plausible_ceiling, plausible_floor
from hypothesis import given
from hypothesis import strategies as st
from vignettes import VIGNETTES, Vignette  # tests/vignettes.py: the clinical vignettes

import rlsnutrition as rn

SCHEMA = rn.assessment_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ANALYTE_IDS = [a.id for a in rn.analytes()]
NUTRIENT_IDS = [n.id for n in rn.nutrients()]
STATUSES = [s.value for s in rn.Status]


def _value_strategy(analyte: str) -> st.SearchStrategy[object]:
    top = plausible_ceiling(analyte)
    number = st.floats(plausible_floor(analyte), top, allow_nan=False, allow_infinity=False)
    censored = st.builds(lambda c, x: f"{c}{x:g}", st.sampled_from(["<", ">", "<=", ">="]), number)
    return st.one_of(number, censored)


@st.composite
def panels(draw: st.DrawFn) -> dict[str, object]:
    chosen = draw(st.lists(st.sampled_from(ANALYTE_IDS), unique=True, max_size=8))
    return {a: draw(_value_strategy(a)) for a in chosen}


CONTEXTS = st.builds(
    rn.Context,
    sex=st.sampled_from(["female", "male", None]),
    age=st.one_of(st.none(), st.integers(0, 130)),
    kidney_disease=st.booleans(),
    dialysis=st.booleans(),
)


def _json_native(value: Any, path: str = "$") -> None:
    """Fails unless ``value`` holds only dict (str keys), list, str, int, float, bool, None."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str, path
            _json_native(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _json_native(v, f"{path}[{i}]")
    else:
        assert type(value) in (str, int, float, bool, type(None)), (path, type(value))
        assert not (type(value) is float and not math.isfinite(value)), path


def _check(assessment: rn.Assessment) -> dict[str, Any]:
    data = assessment.to_dict()
    _json_native(data)
    assert data["format"] == 1
    VALIDATOR.validate(data)
    assert rn.Assessment.from_dict(data) == assessment
    assert rn.Assessment.from_json(assessment.to_json()) == assessment
    return data


@given(panels(), CONTEXTS)
def test_to_dict_is_json_native_valid_and_round_trips(
    panel: dict[str, object], ctx: rn.Context
) -> None:
    try:
        assessment = rn.assess(panel, context=ctx)
    except rn.InvalidLabValueError:
        return  # an impossible value in this unit: not an assessment
    data = _check(assessment)
    assert yaml.safe_load(yaml.safe_dump(data)) == data  # YAML, FastAPI & co take it as it is


@pytest.mark.parametrize("v", VIGNETTES, ids=[v.title for v in VIGNETTES])
def test_every_clinical_vignette_validates_against_the_schema_and_round_trips(v: Vignette) -> None:
    data = _check(rn.assess(v.labs, context=rn.Context(**v.context)))  # type: ignore[arg-type]
    assert yaml.safe_load(yaml.safe_dump(data)) == data


# Records drawn field by field from the vocabularies: the form covers every value a record
# may hold, not only those assess happens to make.
NOTES = st.builds(rn.Note, code=st.text(max_size=20), text=st.text(max_size=40))
FINITE = st.floats(allow_nan=False, allow_infinity=False)
NONNEGATIVE = st.floats(min_value=0, allow_nan=False, allow_infinity=False)


def _record(cls: type, **overrides: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``st.builds`` for an attrs record, every field drawn from its type."""
    return st.builds(cls, **overrides)


@given(
    st.builds(
        rn.Assessment,
        findings=st.tuples(
            *(
                st.builds(
                    rn.Finding,
                    nutrient=st.just(nutrient),
                    status=st.sampled_from(list(rn.Status)),
                    rationale=st.text(),
                    actions=st.lists(NOTES, max_size=3).map(tuple),
                    values=st.lists(
                        st.builds(
                            rn.JudgedValue,
                            analyte=st.sampled_from(ANALYTE_IDS),
                            value=NONNEGATIVE,
                            unit=st.text(max_size=10),
                            comparator=st.sampled_from([None, "<", "<=", ">", ">="]),
                            given_value=st.one_of(st.none(), NONNEGATIVE),
                            given_unit=st.one_of(st.none(), st.text(max_size=10)),
                            when=st.one_of(st.none(), st.dates().map(str)),
                        ),
                        max_size=3,
                    ).map(tuple),
                    reasons=st.lists(
                        st.builds(
                            rn.Reason,
                            threshold=st.one_of(st.none(), st.text(max_size=20)),
                            analyte=st.one_of(st.none(), st.sampled_from(ANALYTE_IDS)),
                            held=st.booleans(),
                            text=st.text(max_size=40),
                        ),
                        max_size=3,
                    ).map(tuple),
                )
                for nutrient in NUTRIENT_IDS
            )
        ),
        missing_tests=st.lists(st.sampled_from(ANALYTE_IDS), max_size=4).map(tuple),
        warnings=st.lists(NOTES, max_size=3).map(tuple),
        disclaimer=st.text(min_size=1).filter(str.strip),
        knowledge_version=st.text(max_size=12),
        subject=st.one_of(st.none(), st.text(max_size=30)),
    )
)
def test_any_assessment_record_validates_and_round_trips(assessment: rn.Assessment) -> None:
    _check(assessment)


def test_schema_is_draft_2020_12_and_describes_every_field_of_every_record() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    records = {"Assessment": rn.Assessment, "Finding": rn.Finding, "Note": rn.Note}
    records |= {"JudgedValue": rn.JudgedValue, "Reference": rn.Reference, "Reason": rn.Reason}
    for name, cls in records.items():
        described = SCHEMA if name == "Assessment" else SCHEMA["$defs"][name]
        fields = [f.name for f in attrs.fields(cls)]
        assert set(fields) <= set(described["properties"]), name
        assert set(fields) <= set(described["required"]), name
    status = SCHEMA["$defs"]["Finding"]["properties"]["status"]
    assert status["enum"] == STATUSES


def test_schema_is_a_fresh_copy_each_time() -> None:
    mine = rn.assessment_json_schema()
    mine["properties"].clear()
    assert rn.assessment_json_schema() == SCHEMA


def test_unknown_keys_at_any_level_are_a_newer_writers_and_ignored() -> None:
    assessment = rn.assess({"ferritin": 45, "tsat": "<15"})
    data = assessment.to_dict()
    data["future"] = {"anything": [1, 2]}
    data["findings"][0]["confidence"] = 0.9
    data["findings"][0]["values"][0]["method"] = "immunoassay"
    data["findings"][0]["references"][0]["isbn"] = "x"
    data["warnings"] = [{"code": "x", "text": "y", "severity": 3}]
    back = rn.Assessment.from_dict(data)
    assert back == attrs.evolve(assessment, warnings=(rn.Note("x", "y"),))


def test_a_dict_without_format_is_read_as_version_0_1_wrote_it() -> None:
    assessment = rn.assess({"ferritin": 45})
    data = assessment.to_dict()
    del data["format"]
    assert rn.Assessment.from_dict(data) == assessment


def _tampered(change: Any) -> dict[str, Any]:
    data = rn.assess({"ferritin": 45, "tsat": "<15", "crp": 3}).to_dict()
    change(data)
    return data


def _set(path: str, value: object) -> Any:
    def change(data: dict[str, Any]) -> None:
        node: Any = data
        *parents, last = path.split("/")
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return change


REASON = {"threshold": "iron.ferritin.oral_iron", "analyte": "ferritin", "held": True, "text": "x"}


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        (_set("disclaimer", None), "$.disclaimer", "expected a string, got null"),
        (_set("disclaimer", "  "), "$.disclaimer", "must not be empty"),
        (_set("missing_tests", "mma"), "$.missing_tests", "expected an array"),
        (_set("missing_tests", ["vitamin_q"]), "$.missing_tests[0]", "'vitamin_q' is not one"),
        (_set("findings/0/values/0/value", "nan"), "$.findings[0].values[0].value", "'nan'"),
        (_set("findings/0/values/0/value", math.nan), "$.findings[0].values[0].value", "finite"),
        (_set("findings/0/values/0/value", math.inf), "$.findings[0].values[0].value", "finite"),
        (_set("findings/0/values/0/value", True), "$.findings[0].values[0].value", "boolean"),
        (_set("findings/0/values/0/value", "45"), "$.findings[0].values[0].value", "string"),
        (_set("findings/0/values/0/comparator", "~"), "$.findings[0].values[0].comparator", "~"),
        (_set("findings/0/values/0/analyte", "gold"), "$.findings[0].values[0].analyte", "gold"),
        (_set("findings/0/status", "fine"), "$.findings[0].status", "'fine' is not one of"),
        (
            _set("findings/0/reasons", [REASON | {"held": "yes"}]),
            "$.findings[0].reasons[0].held",
            "true or",
        ),
        (
            _set("findings/0/reasons", [REASON | {"analyte": "gold"}]),
            "$.findings[0].reasons[0].analyte",
            "gold",
        ),
        (_set("findings/0/values/0/given_value", "45"), "$.findings[0].values[0].given_value", ""),
        (_set("subject", 7), "$.subject", "expected a string"),
        (_set("findings/0/status", None), "$.findings[0].status", "null"),
        (_set("findings/0/nutrient", "zinc"), "$.findings[0].nutrient", "'zinc'"),
        (_set("findings/1/nutrient", "iron"), "$.findings[1].nutrient", "judged twice"),
        (_set("findings/0/actions", {"code": "x"}), "$.findings[0].actions", "array"),
        (_set("findings/0/actions/0", "see-clinician"), "$.findings[0].actions[0]", "object"),
        (_set("findings/0/references/0/year", "2024"), "$.findings[0].references[0].year", ""),
        (_set("findings/0/references/0/year", 2024.5), "$.findings[0].references[0].year", ""),
        (_set("findings/0/references/0/kind", "blog"), "$.findings[0].references[0].kind", ""),
        (_set("warnings", None), "$.warnings", "null"),
        (_set("findings", [{}]), "$.findings[0]", "lacks"),
        (_set("format", 2), "$.format", "reads format 1"),
        (_set("format", "1"), "$.format", "reads format 1"),
        (_set("format", True), "$.format", "reads format 1"),
    ],
)
def test_tampered_input_is_refused_naming_the_field(change: Any, field: str, said: str) -> None:
    data = _tampered(change)
    with pytest.raises(rn.InvalidArgumentError) as caught:
        rn.Assessment.from_dict(data)
    message = str(caught.value)
    assert message.startswith("not a stored Assessment")
    assert f"{field}:" in message or f"{field} " in message
    assert said in message
    if said not in ("finite", "judged twice", "reads format 1"):
        # what the reader refuses, the schema refuses too (where a schema can say it)
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(json.loads(json.dumps(data, allow_nan=True)))


@pytest.mark.parametrize("text", ['{"findings": [], "x": NaN}', '{"findings": Infinity}', "[1"])
def test_from_json_refuses_what_is_not_strict_json(text: str) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="not JSON"):
        rn.Assessment.from_json(text)


@pytest.mark.parametrize("data", [None, [], "{}", 3])
def test_from_dict_takes_only_a_dict(data: object) -> None:
    with pytest.raises(rn.InvalidArgumentError, match="expected a dict"):
        rn.Assessment.from_dict(data)  # type: ignore[arg-type]


def test_to_json_never_writes_nan() -> None:
    broken = attrs.evolve(
        rn.assess({"ferritin": 45}),
        findings=(
            rn.Finding(
                "iron", rn.Status.LOW, "", values=(rn.JudgedValue("ferritin", math.nan, "ng/mL"),)
            ),
        ),
    )
    with pytest.raises(ValueError, match="JSON"):
        broken.to_json()


def test_finding_of_a_stored_assessment_without_that_nutrient_is_a_typed_error() -> None:
    # from_dict refuses it (six findings, in order); a record built without iron still exists
    result = rn.assess({"ferritin": 45})
    stored = attrs.evolve(
        result, findings=tuple(f for f in result.findings if f.nutrient != "iron")
    )
    assert stored.finding("folate").nutrient == "folate"
    with pytest.raises(rn.InvalidArgumentError, match="no finding for 'iron'"):
        stored.finding("Fe")
    with pytest.raises(rn.UnknownNutrientError):
        stored.finding("zinc")


def test_the_stored_form_is_what_it_was_json_text_and_back() -> None:
    assessment = rn.assess({"ferritin": 45, "tsat": 18})
    data = assessment.to_dict()
    assert json.loads(assessment.to_json()) == data
    assert copy.deepcopy(data) == data
    assert data["findings"][0]["status"] == "low"
    assert isinstance(data["findings"][0]["actions"], list)


HUGE = st.integers(min_value=10**309, max_value=10**4000) | st.integers(
    max_value=-(10**309), min_value=-(10**4000)
)


@given(huge=HUGE, where=st.sampled_from(["value", "given_value"]))
def test_an_integer_no_float_holds_is_refused_naming_the_field(huge: int, where: str) -> None:
    stored = rn.assess({"ferritin": 45}).to_dict()
    stored["findings"][0]["values"][0][where] = huge
    for load in (rn.Assessment.from_dict, lambda d: rn.Assessment.from_json(json.dumps(d))):
        with pytest.raises(rn.InvalidArgumentError, match=rf"findings\[0\]\.values\[0\]\.{where}"):
            load(stored)


def _meaning_tampered(data: dict[str, Any], how: str) -> dict[str, Any]:
    findings = data["findings"]
    if how == "reversed":
        findings.reverse()
    elif how == "cut":
        del findings[1:]
    elif how == "negative":
        findings[0]["values"][0]["value"] = -45.0
    elif how == "negative given":
        findings[0]["values"][0]["given_value"] = -45.0
    elif how == "when":
        findings[0]["values"][0]["when"] = "yesterday"
    elif how == "year":
        findings[0]["references"][0]["year"] = 1e300
    return data


@given(how=st.sampled_from(["reversed", "cut", "negative", "negative given", "when", "year"]))
def test_a_stored_assessment_with_tampered_meaning_is_refused(how: str) -> None:
    # the types are right, the meaning is not one assess ever writes
    data = _meaning_tampered(rn.assess({"ferritin": 45}).to_dict(), how)
    with pytest.raises(rn.InvalidArgumentError, match=r"\$\.findings"):
        rn.Assessment.from_dict(data)
    with pytest.raises(rn.InvalidArgumentError, match=r"\$\.findings"):
        rn.Assessment.from_json(json.dumps(data))


def test_json_with_a_key_twice_is_refused_not_last_wins() -> None:
    text = rn.assess({"ferritin": 45}).to_json()
    twice = text.replace('"value": 45.0', '"value": 300.0, "value": 45.0', 1)
    assert twice != text
    with pytest.raises(rn.InvalidArgumentError, match="'value' is given twice"):
        rn.Assessment.from_json(twice)
