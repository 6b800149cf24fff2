"""Reasons as data: every part of a rationale is a Reason naming its threshold or note, and
the rationale is exactly the reasons' sentences."""

from __future__ import annotations

import json
from importlib.resources import files

from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn

RULES = json.loads((files("rlsnutrition") / "data" / "rules.json").read_text("utf-8"))
NOTE_IDS = {n["code"] for n in RULES["notes"]}
THRESHOLDS = {t.id: t for t in rn.thresholds()}

PANEL = st.fixed_dictionaries(
    {},
    optional={
        "ferritin": st.floats(0, 1000),
        "tsat": st.floats(1, 100),
        "crp": st.floats(0, 50),
        "vitamin_b12": st.floats(50, 1500),
        "mma": st.floats(0, 2),
        "egfr": st.floats(5, 130),
        "magnesium": st.floats(0.5, 4),
        "folate": st.floats(0, 30),
        "rbc_folate": st.floats(0, 1500),
        "vitamin_d": st.floats(0, 150),
        "plp": st.floats(0, 200),
    },
)
CONTEXTS = st.builds(
    rn.Context,
    age=st.none() | st.integers(0, 90),
    kidney_disease=st.booleans(),
    dialysis=st.booleans(),
)


@given(PANEL, CONTEXTS)
def test_a_rationale_is_its_reasons_and_each_reason_names_its_source(
    panel: dict[str, float], ctx: rn.Context
) -> None:
    for f in rn.assess(panel, context=ctx).findings:
        assert f.reasons
        joined = "; ".join(r.text for r in f.reasons)
        assert f.rationale == joined[:1].upper() + joined[1:]
        for r in f.reasons:
            if r.threshold is not None:
                t = THRESHOLDS[r.threshold]
                assert r.analyte == t.analyte
                assert r.note is None
                assert any(ref in f.references for ref in t.references)
            else:
                assert r.note in NOTE_IDS
                assert r.held


def test_held_says_whether_the_cut_off_holds() -> None:
    f = rn.assess({"ferritin": 150, "tsat": 25}).finding("iron")
    held = {r.threshold: r.held for r in f.reasons}
    assert held == {"iron.ferritin.iv_iron": False, "iron.tsat.oral_iron": False}
    f = rn.assess({"ferritin": 40, "tsat": 25}).finding("iron")
    assert {r.threshold: r.held for r in f.reasons} == {
        "iron.ferritin.oral_iron": True,
        "iron.tsat.oral_iron": False,
    }


def test_an_app_can_key_on_note_ids() -> None:
    f = rn.assess({"ferritin": 10, "tsat": 50}).finding("iron")
    assert "iron.non-fasting" in [r.note for r in f.reasons]
    b12 = rn.assess({"vitamin_b12": 500, "mma": "400 nmol/L"}, context=rn.Context(dialysis=True))
    assert [r.note for r in b12.finding("vitamin_b12").reasons][-1] == "b12.kidney-raises-mma"


def test_every_note_and_action_in_the_data_is_used_by_a_rule() -> None:
    from pathlib import Path

    source = (Path(rn.__file__).parent / "_rules.py").read_text("utf-8")
    for code in NOTE_IDS | {a["code"] for a in RULES["actions"]}:
        assert f'"{code}"' in source, code
