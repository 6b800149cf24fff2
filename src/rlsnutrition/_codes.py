"""The records of the clinical codes (``rn.clinical_codes()``): how coded records (FHIR) are
read for pregnancy, kidney disease, dialysis and medicines that may worsen RLS.

A module of its own, imported on first use, so that ``import rlsnutrition`` does not pay for
records only the FHIR reader and code look-ups need.
"""

from __future__ import annotations

import attrs

from .model import Reference

__all__ = ["ClinicalCodes", "Coding", "ContextCodes", "MedicineCode", "MedicineGroup"]


@attrs.frozen(repr=False)
class Coding:
    """A code in a terminology (SNOMED CT, ICD-10, LOINC) and what it names.

    Attributes:
        system: the terminology's URI (``"http://snomed.info/sct"``).
        code: the code (``"77386006"``).
        display: what it names (``"Pregnant"``).
        references: the sources that list it with that meaning.
    """

    system: str
    code: str
    display: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"Coding(system={self.system!r}, code={self.code!r}, display={self.display!r})"


@attrs.frozen
class ContextCodes:
    """The codes by which a record says something about the person the labs are about.

    Attributes:
        pregnancy_status: codes of an Observation that records pregnancy status (LOINC 82810-3).
        pregnant: answers or Conditions that mean pregnant.
        not_pregnant: answers that mean not pregnant.
        kidney_disease: Conditions that mean chronic kidney disease.
        dialysis: Conditions and procedures that mean dialysis.
    """

    pregnancy_status: tuple[Coding, ...]
    pregnant: tuple[Coding, ...]
    not_pregnant: tuple[Coding, ...]
    kidney_disease: tuple[Coding, ...]
    dialysis: tuple[Coding, ...]


@attrs.frozen(repr=False)
class MedicineCode:
    """A medicine's code (an RxNorm ingredient or an ATC code) and the RLS factor it belongs to.

    Attributes:
        factor: the id of the [`RLSFactor`][rlsnutrition.RLSFactor] of kind ``"medicine"`` it
            belongs to; None for a medicine known *not* to worsen RLS (bupropion), listed so
            that its class's codes never match it.
        ingredient: the ingredient it names (``"citalopram"``).
        system: the terminology's URI.
        code: the code.
        references: the sources of the code and of its class.
    """

    factor: str | None
    ingredient: str
    system: str
    code: str
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"MedicineCode(ingredient={self.ingredient!r}, system={self.system!r}, code={self.code!r})"


@attrs.frozen(repr=False)
class MedicineGroup:
    """A class of medicines by its ATC code prefix (every code starting with it belongs).

    Attributes:
        factor: the id of the [`RLSFactor`][rlsnutrition.RLSFactor] of kind ``"medicine"``.
        system: the terminology's URI (ATC).
        prefix: the ATC prefix (``"N06AB"``, selective serotonin reuptake inhibitors).
        display: what the group is.
        excluding: prefixes inside it that do not belong (lithium, ``N05AN``, among the
            antipsychotics).
        references: its sources.
    """

    factor: str
    system: str
    prefix: str
    display: str
    excluding: tuple[str, ...]
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return f"MedicineGroup(prefix={self.prefix!r}, factor={self.factor!r})"


@attrs.frozen(repr=False)
class ClinicalCodes:
    """The codes by which rlsnutrition recognises, in coded records (FHIR), pregnancy,
    chronic kidney disease, dialysis and medicines that may worsen RLS, each with its sources.

    Attributes:
        about: what the codes are for, in a sentence.
        context: the codes of pregnancy, kidney disease and dialysis.
        medicines: medicines that may worsen RLS, by ingredient code.
        medicine_groups: classes of such medicines, by ATC prefix.
        not_worsening: medicines known not to worsen RLS, which no group matches.
        references: every source the codes cite.
    """

    about: str
    context: ContextCodes
    medicines: tuple[MedicineCode, ...]
    medicine_groups: tuple[MedicineGroup, ...]
    not_worsening: tuple[MedicineCode, ...]
    references: tuple[Reference, ...]

    def __repr__(self) -> str:
        return (
            f"ClinicalCodes(medicines={len(self.medicines)}, "
            f"medicine_groups={len(self.medicine_groups)}, not_worsening={len(self.not_worsening)})"
        )
