"""rlsnutrition: what is known about nutrition and Restless Legs Syndrome, as cited, typed data.

Examples:
    >>> import rlsnutrition as rn
    >>> rn.lookup_nutrient("B-12").id
    'vitamin_b12'

The library informs and points to a clinician; it never prescribes a dose.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    DataError,
    InvalidArgumentError,
    InvalidLabValueError,
    RLSNutritionError,
    UnknownAnalyteError,
    UnknownNutrientError,
    UnknownUnitError,
)
from .lookup import foods_rich_in, knowledge_info, lookup_nutrient, nutrients, rls_factors
from .model import FoodSource, Nutrient, Reference, RLSFactor

if TYPE_CHECKING:
    from ._assess import assess, assess_many
    from ._json import assessment_json_schema
    from .assessment import DISCLAIMER, Assessment, Finding, JudgedValue, Note, Reason, Status
    from .labs import Context, LabResult

__version__ = "0.1.0"

# The assessment half is imported on first use, so `import rlsnutrition` and a first lookup
# stay cheap for short-lived processes (see docs/performance.md).
_LAZY = {
    "assess": "._assess",
    "assess_many": "._assess",
    "assessment_json_schema": "._json",
    "DISCLAIMER": ".assessment",
    "Assessment": ".assessment",
    "Finding": ".assessment",
    "JudgedValue": ".assessment",
    "Note": ".assessment",
    "Reason": ".assessment",
    "Status": ".assessment",
    "Context": ".labs",
    "LabResult": ".labs",
}


# Public submodules, imported on first attribute access (rlsnutrition.frame needs pandas).
_SUBMODULES = {"fhir", "cds"}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:  # on first use: rn.fhir.read(...), rn.cds.cards(...)
        return importlib.import_module(f".{name}", __name__)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'rlsnutrition' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


__all__ = [
    "DISCLAIMER",
    "Assessment",
    "Context",
    "DataError",
    "Finding",
    "FoodSource",
    "InvalidArgumentError",
    "InvalidLabValueError",
    "JudgedValue",
    "LabResult",
    "Note",
    "Nutrient",
    "RLSFactor",
    "RLSNutritionError",
    "Reason",
    "Reference",
    "Status",
    "UnknownAnalyteError",
    "UnknownNutrientError",
    "UnknownUnitError",
    "__version__",
    "assess",
    "assess_many",
    "assessment_json_schema",
    "foods_rich_in",
    "knowledge_info",
    "lookup_nutrient",
    "nutrients",
    "rls_factors",
]
