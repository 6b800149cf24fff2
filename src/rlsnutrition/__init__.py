"""rlsnutrition: what is known about nutrition and Restless Legs Syndrome, as cited, typed data.

Examples:
    >>> import rlsnutrition as rn
    >>> rn.lookup_nutrient("B-12").id
    'vitamin_b12'

The library informs and points to a clinician; it never prescribes a dose.
"""

from __future__ import annotations

import importlib as _importlib
import sys as _sys
import types as _types
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from .errors import (
    DataError,
    InvalidArgumentError,
    InvalidLabValueError,
    RLSNutritionError,
    UnknownAnalyteError,
    UnknownNutrientError,
    UnknownUnitError,
)
from .knowledge import (
    analytes,
    clinical_codes,
    convert,
    foods_rich_in,
    knowledge_info,
    lookup_analyte,
    lookup_nutrient,
    nutrients,
    rls_factors,
    thresholds,
)
from .model import (
    Analyte,
    Comparator,
    DailyValue,
    Diet,
    Equivalent,
    Evidence,
    FactorKind,
    FoodSource,
    Intake,
    KnowledgeInfo,
    Nutrient,
    Plausibility,
    Reference,
    RLSFactor,
    Sex,
    Statement,
    SupplementForm,
    Threshold,
    Units,
    UnitSpec,
    UpperLimit,
)

if _TYPE_CHECKING:
    from . import cds as cds
    from . import fhir as fhir
    from ._assess import assess, assess_many
    from ._codes import ClinicalCodes, Coding, ContextCodes, MedicineCode, MedicineGroup
    from ._json import assessment_json_schema
    from ._reading import (
        context_key,
        cut_points,
        judged_by,
        lookup_unit,
        missing_tests,
        parse_value,
        plausible_range,
        read_value,
    )
    from .assessment import DISCLAIMER, Assessment, Finding, JudgedValue, Note, Reason, Status
    from .fhir import FhirLabs
    from .labs import Conflict, Context, LabResult, Latest, latest

__version__ = "0.1.0"

# The assessment half and the FHIR reader are imported on first use, so `import rlsnutrition`
# and a first lookup stay cheap for short-lived processes (see docs/performance.md).
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
    "latest": ".labs",
    "Latest": ".labs",
    "Conflict": ".labs",
    "FhirLabs": ".fhir",
    "ClinicalCodes": "._codes",
    "Coding": "._codes",
    "ContextCodes": "._codes",
    "MedicineCode": "._codes",
    "MedicineGroup": "._codes",
    "context_key": "._reading",
    "cut_points": "._reading",
    "judged_by": "._reading",
    "lookup_unit": "._reading",
    "missing_tests": "._reading",
    "parse_value": "._reading",
    "plausible_range": "._reading",
    "read_value": "._reading",
}


# Public submodules, imported on first attribute access (rlsnutrition.frame, which needs
# pandas, is imported by name: from rlsnutrition.frame import assess_frame).
_SUBMODULES = {"fhir", "cds"}


def __getattr__(name: str) -> _Any:
    if name in _SUBMODULES:  # on first use: rn.fhir.read(...), rn.cds.cards(...)
        module = _importlib.import_module(f".{name}", __name__)
        _publish()
        return module
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'rlsnutrition' has no attribute {name!r}")
    _importlib.import_module(where, __name__)
    _publish()
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})


def _publish(names: _Any = None) -> None:
    """Show each public class and function as ``rlsnutrition.<name>`` (reprs, help, the API
    reference), not under the private module that defines it; lazy ones once imported."""
    if names is None:
        names = []
        for name, where in _LAZY.items():
            module = _sys.modules.get(__name__ + where)
            # (a module still being imported, such as the FHIR reader importing read_value,
            # may not define its names yet: they are published on a later call)
            if module is not None and name not in globals() and hasattr(module, name):
                globals()[name] = getattr(module, name)
                names.append(name)
    for name in names:
        obj = globals()[name]
        if not isinstance(obj, (type, _types.FunctionType)):
            continue
        if isinstance(obj, type) and any(
            isinstance(a.type, str) for a in getattr(obj, "__attrs_attrs__", ())
        ):
            # cattrs reads a record's annotations in the module named by ``__module__``:
            # resolve them in the defining module first, or keep its name if that fails.
            import attrs

            try:
                attrs.resolve_types(obj)
            except NameError:
                continue
        obj.__module__ = __name__


__all__ = [
    "DISCLAIMER",
    "Analyte",
    "Assessment",
    "ClinicalCodes",
    "Coding",
    "Comparator",
    "Conflict",
    "Context",
    "ContextCodes",
    "DailyValue",
    "DataError",
    "Diet",
    "Equivalent",
    "Evidence",
    "FactorKind",
    "FhirLabs",
    "Finding",
    "FoodSource",
    "Intake",
    "InvalidArgumentError",
    "InvalidLabValueError",
    "JudgedValue",
    "KnowledgeInfo",
    "LabResult",
    "Latest",
    "MedicineCode",
    "MedicineGroup",
    "Note",
    "Nutrient",
    "Plausibility",
    "RLSFactor",
    "RLSNutritionError",
    "Reason",
    "Reference",
    "Sex",
    "Statement",
    "Status",
    "SupplementForm",
    "Threshold",
    "UnitSpec",
    "Units",
    "UnknownAnalyteError",
    "UnknownNutrientError",
    "UnknownUnitError",
    "UpperLimit",
    "__version__",
    "analytes",
    "assess",
    "assess_many",
    "assessment_json_schema",
    "clinical_codes",
    "context_key",
    "convert",
    "cut_points",
    "foods_rich_in",
    "judged_by",
    "knowledge_info",
    "latest",
    "lookup_analyte",
    "lookup_nutrient",
    "lookup_unit",
    "missing_tests",
    "nutrients",
    "parse_value",
    "plausible_range",
    "read_value",
    "rls_factors",
    "thresholds",
]

_publish([name for name in __all__ if name in globals()])
