"""``assess_many``: batches of panels, ``(labs, Context)`` pairs, and errors returned in place."""

from __future__ import annotations

import pickle
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rlsnutrition as rn

GOOD = st.fixed_dictionaries(
    {},
    optional={
        "ferritin": st.floats(0, 500, allow_nan=False),
        "tsat": st.floats(1, 100, allow_nan=False),
        "magnesium": st.floats(0, 4, allow_nan=False),
    },
)
BAD = st.sampled_from(
    [{"feritin": 4}, {"ferritin": "lots"}, {"ferritin": -1}, {"tsat": 101}, {"b12": "3 g"}]
)
CONTEXTS = st.builds(
    rn.Context, sex=st.sampled_from(["female", "male", None]), dialysis=st.booleans()
)
PANELS = st.lists(st.one_of(GOOD, BAD, st.tuples(st.one_of(GOOD, BAD), CONTEXTS)), max_size=12)


def _expected(panel: object, context: rn.Context | None) -> rn.Assessment | rn.RLSNutritionError:
    if isinstance(panel, tuple):
        panel, context = panel
    try:
        return rn.assess(panel, context=context)
    except rn.RLSNutritionError as exc:
        return exc


@given(PANELS, st.one_of(st.none(), CONTEXTS))
def test_errors_return_yields_each_panels_result_or_its_error_in_order(
    panels: list[object], context: rn.Context | None
) -> None:
    got = list(rn.assess_many(panels, context=context, errors="return"))
    assert len(got) == len(panels)
    for i, (result, panel) in enumerate(zip(got, panels, strict=True)):
        expected = _expected(panel, context)
        if isinstance(expected, rn.Assessment):
            assert result == expected
        else:
            assert type(result) is type(expected)
            assert str(result) == str(expected)
            assert isinstance(result, rn.RLSNutritionError)
            assert result.panel_index == i


def test_a_pairs_context_wins_over_the_batch_context() -> None:
    labs = {"ferritin": 150, "tsat": 15}
    dialysis = rn.Context(dialysis=True)
    got = list(rn.assess_many([labs, (labs, dialysis)], context=rn.Context(sex="male")))
    assert got == [
        rn.assess(labs, context=rn.Context(sex="male")),
        rn.assess(labs, context=dialysis),
    ]
    assert got[0] != got[1]


def test_a_tuple_of_two_lab_results_is_a_panel_not_a_pair() -> None:
    labs = (rn.LabResult("ferritin", 45), rn.LabResult("tsat", 18))
    assert list(rn.assess_many([labs])) == [rn.assess(labs)]


def test_errors_raise_stops_at_the_failing_panel_and_names_it_on_every_python() -> None:
    batch = rn.assess_many([{"ferritin": 4}, {"ferritin": 5}, {"feritin": 4}, {"ferritin": 6}])
    assert next(batch) == rn.assess({"ferritin": 4})
    assert next(batch) == rn.assess({"ferritin": 5})
    with pytest.raises(rn.UnknownAnalyteError) as caught:
        next(batch)
    assert caught.value.panel_index == 2
    if sys.version_info >= (3, 11):
        assert caught.value.__notes__ == ["in panel 2 given to assess_many()"]


def test_a_panel_of_the_wrong_python_type_is_a_type_error_even_when_returning_errors() -> None:
    with pytest.raises(TypeError) as caught:
        list(rn.assess_many([{"ferritin": 4}, None], errors="return"))
    assert caught.value.panel_index == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("errors", ["ignore", "Return", None, True])
def test_errors_outside_raise_and_return_is_refused_before_any_panel(errors: object) -> None:
    def panels():  # type: ignore[no-untyped-def]
        raise AssertionError("not read")
        yield

    with pytest.raises(rn.InvalidArgumentError, match="errors must be 'raise' or 'return'"):
        rn.assess_many(panels(), errors=errors)  # type: ignore[call-overload]


def test_a_returned_error_keeps_its_panel_index_through_pickling() -> None:
    (_, exc) = rn.assess_many([{"ferritin": 4}, {"feritin": 4}], errors="return")
    assert isinstance(exc, rn.UnknownAnalyteError)
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), str(back), back.panel_index, back.suggestions) == (
        type(exc),
        str(exc),
        1,
        exc.suggestions,
    )


def test_an_error_not_from_a_batch_has_no_panel_index() -> None:
    with pytest.raises(rn.RLSNutritionError) as caught:
        rn.assess({"feritin": 4})
    assert caught.value.panel_index is None
