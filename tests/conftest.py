"""Shared test set-up: hypothesis profiles (CI is reproducible: derandomized)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(autouse=True)
def _vignettes_validate_against_the_json_schema(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every assessment the examples and vignettes make (tests/test_assess_examples.py,
    tests/test_assess_vignettes.py) must validate against ``rn.assessment_json_schema()`` and
    read back equal from its JSON."""
    if not request.module.__name__.startswith(("test_assess_examples", "test_assess_vignettes")):
        return
    import jsonschema

    import rlsnutrition as rn

    validator = jsonschema.Draft202012Validator(rn.assessment_json_schema())
    assess = rn.assess

    def checked(*args: Any, **kwargs: Any) -> rn.Assessment:
        result = assess(*args, **kwargs)
        data = result.to_dict()
        validator.validate(data)
        assert rn.Assessment.from_json(result.to_json()) == result
        return result

    monkeypatch.setattr(rn, "assess", checked)


def plausible_floor(analyte: str) -> float:
    """The smallest value in ``analyte``'s default unit that is not refused as implausible
    (0 where the data sets no lower bound): strategies draw from it upwards."""
    import rlsnutrition as rn

    p = rn.lookup_analyte(analyte).plausibility
    if p is None or p.min is None:
        return 0.0
    return rn.convert(p.min, p.unit, rn.lookup_analyte(analyte).default_unit, analyte=analyte)


def plausible_ceiling(analyte: str) -> float:
    """The largest value in ``analyte``'s default unit that is not refused as implausible
    (10 000 where the data sets no upper bound)."""
    import rlsnutrition as rn

    a = rn.lookup_analyte(analyte)
    tops = [a.max_plausible] if a.max_plausible is not None else []
    if a.plausibility is not None:
        p = a.plausibility
        tops.append(rn.convert(p.max, p.unit, a.default_unit, analyte=analyte))
    return min(tops, default=10_000.0)
