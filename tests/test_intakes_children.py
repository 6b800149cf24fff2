"""Children's and teens' intake rows (National Academies DRI tables, as NIH ODS reproduces
them), checked against values written out here, not read from the library."""

from __future__ import annotations

import pytest

import rlsnutrition as rn

# (nutrient, age, sex, condition) -> (RDA, UL) per day; None: no UL established.
EXPECTED = {
    ("iron", 2, None, None): (7, 40),
    ("iron", 6, None, None): (10, 40),
    ("iron", 10, None, None): (8, 40),
    ("iron", 15, "male", None): (11, 45),
    ("iron", 15, "female", None): (15, 45),
    ("iron", 16, "female", "pregnancy"): (27, None),
    ("magnesium", 2, None, None): (80, 65),
    ("magnesium", 12, None, None): (240, 350),
    ("magnesium", 17, "male", None): (410, 350),
    ("magnesium", 17, "female", None): (360, 350),
    ("vitamin_b12", 3, None, None): (0.9, None),
    ("vitamin_b12", 16, "female", "lactation"): (2.8, None),
    ("vitamin_b6", 5, None, None): (0.6, 40),
    ("vitamin_b6", 14, "female", None): (1.2, 80),
    ("vitamin_d", 1, None, None): (15, 63),
    ("vitamin_d", 8, None, None): (15, 75),
    ("folate", 9, None, None): (300, 600),
    ("folate", 18, "female", "pregnancy"): (600, 800),
}


@pytest.mark.parametrize(("key", "expected"), sorted(EXPECTED.items(), key=str))
def test_child_and_teen_rows(key: tuple[str, int, str | None, str | None], expected: tuple) -> None:
    nid, age, sex, condition = key
    rda, ul = expected
    n = rn.lookup_nutrient(nid)
    (intake,) = [i for i in n.intakes if i.matches(age=age, sex=sex, condition=condition)]
    assert intake.amount == rda
    uls = [u for u in n.upper_limits if u.matches(age=age, sex=sex, condition=condition)]
    if ul is not None or not uls:
        assert [u.amount for u in uls] == ([ul] if ul is not None else [])
    assert all(u.applies_to for u in uls)
