"""What a FHIR source says about the person around the labs: sex and age (Patient), pregnancy
(a pregnancy-status Observation or a pregnancy Condition), chronic kidney disease and dialysis
(Conditions), and medicines that may worsen RLS (MedicationStatement, MedicationRequest).

The codes are packaged knowledge with their sources (``rn.clinical_codes()``, from
``data/fhir_codes.json``), never written here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from ._fhir_refs import Index, Key, d, effective, lst, s
from .errors import show
from .knowledge import clinical_codes
from .labs import Context, newest
from .model import SEXES

if TYPE_CHECKING:
    from . import MedicineCode, MedicineGroup

__all__ = ["Medicine", "read_context", "read_medicines"]


def _key(system: str, code: str) -> tuple[str, str]:
    """A code as compared: ICD-10 codes are written with and without the dot (N18.5, N185)."""
    if "icd-10" in system:
        return system, code.replace(".", "").upper()
    return system, code


@attrs.frozen
class Codes:
    """The packaged codes, indexed for matching."""

    context: dict[tuple[str, str], str]  # (system, code) -> what it means
    medicines: dict[tuple[str, str], MedicineCode]
    groups: tuple[MedicineGroup, ...]


_MEANINGS = ("pregnancy_status", "pregnant", "not_pregnant", "kidney_disease", "dialysis")


@functools.cache
def codes() -> Codes:
    """The packaged clinical codes (`clinical_codes()`), indexed for matching."""
    known = clinical_codes()
    context: dict[tuple[str, str], str] = {}
    for meaning in _MEANINGS:
        for c in getattr(known.context, meaning):
            context[_key(c.system, c.code)] = meaning
    medicines: dict[tuple[str, str], MedicineCode] = {}
    for m in (*known.not_worsening, *known.medicines):
        medicines.setdefault(_key(m.system, m.code), m)  # what does not worsen RLS comes first
    return Codes(context, medicines, known.medicine_groups)


def _codings(concept: object) -> Iterable[tuple[str, str, str | None]]:
    for coding in lst(d(concept).get("coding")):
        coding = d(coding)
        system, code = s(coding.get("system")), s(coding.get("code"))
        if system is not None and code is not None:
            yield system, code, s(coding.get("display"))


def _means(concept: object, table: Codes) -> set[str]:
    """What a concept's codings mean (of the context codes)."""
    context = table.context
    return {m for system, code, _ in _codings(concept) if (m := context.get(_key(system, code)))}


@attrs.frozen
class Medicine:
    """A medicine in the record that may worsen RLS: ``name`` as the record gives it (else the
    ingredient), ``factor`` the id of the RLS factor it belongs to (see
    `rls_factors()`), the ``system`` and ``code`` it was matched by, the
    ``resource`` it was found in and that resource's ``status``."""

    name: str
    factor: str
    system: str
    code: str
    resource: str
    status: str | None


_CURRENT_MEDICATION = frozenset({"active", "intended", "on-hold", "unknown", "draft"})
_NO_LONGER = frozenset({"refuted", "entered-in-error"})
_RESOLVED = frozenset({"inactive", "remission", "resolved"})


def _concept_code(concept: object) -> str | None:
    for _, code, _ in _codings(concept):
        return code
    return s(d(concept).get("text"))


def _condition_holds(condition: dict[str, Any]) -> bool:
    """Whether a Condition is a current, not refuted, diagnosis (R4 CodeableConcepts or STU3
    codes)."""
    clinical = _concept_code(condition.get("clinicalStatus"))
    verification = _concept_code(condition.get("verificationStatus"))
    if clinical is None:
        clinical = s(condition.get("clinicalStatus"))
    if verification is None:
        verification = s(condition.get("verificationStatus"))
    if condition.get("abatementDateTime") is not None or condition.get("abatementPeriod"):
        return False
    return clinical not in _RESOLVED and verification not in _NO_LONGER


def read_medicines(
    index: Index, subject: Key | None, resources: list[dict[str, Any]]
) -> tuple[Medicine, ...]:
    """The subject's current MedicationStatements and MedicationRequests whose medicine is one
    the data says may worsen RLS, matched by ATC or RxNorm code (never bupropion)."""
    table = codes()
    found: list[Medicine] = []
    for resource in resources:
        if resource.get("resourceType") not in ("MedicationStatement", "MedicationRequest"):
            continue
        if subject is None or index.subject_of(resource) != subject:
            continue
        status = s(resource.get("status"))
        if status not in _CURRENT_MEDICATION or resource.get("taken") == "n":  # STU3 not taken
            continue
        concepts = [resource.get("medicationCodeableConcept")]
        ref = s(d(resource.get("medicationReference")).get("reference"))
        for medication in [] if ref is None else index.resolve(ref, resource):
            concepts.append(medication.get("code"))
            concepts += [d(i).get("itemCodeableConcept") for i in lst(medication.get("ingredient"))]
        match = _match(concepts, table)
        if match is not None:
            factor, ingredient, system, code, display = match
            name = s(d(concepts[0]).get("text")) or display or ingredient
            label = index.label(resource)
            found.append(Medicine(name, factor, system, code, label, status))
    return tuple(found)


def _match(concepts: list[object], table: Codes) -> tuple[str, str, str, str, str | None] | None:
    """The first coding that names a medicine that may worsen RLS: (factor, ingredient,
    system, code, display). A medicine also coded as one known not to (bupropion) is never
    matched."""
    codings = [c for concept in concepts for c in _codings(concept)]
    known = [
        (table.medicines.get(_key(system, code)), system, code, display)
        for system, code, display in codings
    ]
    if any(m is not None and m.factor is None for m, *_ in known):
        return None
    for m, system, code, display in known:
        if m is not None and m.factor is not None:
            return m.factor, m.ingredient, system, code, display
    for system, code, display in codings:
        for g in table.groups:
            if (
                system == g.system
                and code.startswith(g.prefix)
                and not any(code.startswith(x) for x in g.excluding)
            ):
                return g.factor, g.display, system, code, display
    return None


_FHIR_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?\Z")  # FHIR date: YYYY, YYYY-MM, YYYY-MM-DD


def _age(birth: str, at: datetime) -> int | None:
    """Whole years from a FHIR birthDate (year, year-month or date) to ``at``; None when a
    partial birth date leaves two possible ages."""
    parts = birth.split("-")
    try:
        year = int(parts[0])
        first = date(
            year, int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
        )
        if len(parts) > 2:
            last = first
        elif len(parts) > 1:
            nxt = date(year + (first.month == 12), first.month % 12 + 1, 1)
            last = date.fromordinal(nxt.toordinal() - 1)
        else:
            last = date(year, 12, 31)
    except (ValueError, IndexError, OverflowError):
        return None
    day = at.date()

    def years(born: date) -> int:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    young, old = years(last), years(first)
    return old if old == young and 0 <= old <= 130 else None


def read_context(
    index: Index,
    subject: Key | None,
    patient: dict[str, Any] | None,
    resources: list[dict[str, Any]],
    at: datetime | None,
) -> tuple[Context | None, tuple[str, ...]]:
    """The subject's Context from the record (age at ``at``, the newest result's date), and
    notes on what could not be used; None when the record says nothing that a Context holds."""
    if subject is None:
        return None, ()
    table = codes()
    said = False
    notes: list[str] = []
    sex: str | None = None
    age: int | None = None
    if patient is not None:
        gender = s(patient.get("gender"))
        if gender in SEXES:
            sex, said = gender, True
        birth = s(patient.get("birthDate"))
        if birth is not None:
            said = True
            if not _FHIR_DATE.match(birth):
                notes.append(f"birthDate {show(birth)} is not a FHIR date; the age is left unknown")
            elif at is not None:
                age = _age(birth, at)
    pregnancy: list[tuple[str | None, bool, str]] = []
    kidney = dialysis = pregnant_condition = False
    subject_of = index.subject_of
    for resource in resources:
        rtype = resource.get("resourceType")
        if rtype not in ("Observation", "Condition") or subject_of(resource) != subject:
            continue
        if rtype == "Observation":
            if "pregnancy_status" not in _means(resource.get("code"), table):
                continue
            if resource.get("status") not in ("final", "amended", "corrected"):
                continue
            value = _means(resource.get("valueCodeableConcept"), table)
            if value & {"pregnant", "not_pregnant"} and len(value) == 1:
                label = index.label(resource)
                pregnancy.append((effective(resource), "pregnant" in value, label))
                said = True
            continue
        if not _condition_holds(resource):
            continue
        meanings = _means(resource.get("code"), table)
        for stage in lst(resource.get("stage")):
            meanings |= _means(d(stage).get("summary"), table)
        if meanings & {"kidney_disease", "dialysis"}:
            kidney, said = True, True
        if "dialysis" in meanings:
            dialysis = True
        if "pregnant" in meanings:
            pregnant_condition, said = True, True
    if not said:
        return None, tuple(notes)
    pregnant = pregnant_condition
    if pregnancy:  # the newest status, by the one newest-result policy
        status = newest(
            pregnancy,
            analyte=lambda p: "pregnancy status",
            when=lambda p: p[0],
            same=lambda p: p[1],
            text=lambda p: "pregnant" if p[1] else "not pregnant",
            order=lambda p: p[2],
        )
        if status.conflicts:
            notes.append(f"{status.conflicts[0]}: pregnancy is not taken as known")
            pregnant = False
        else:
            pregnant = status.results[0][1]
    if pregnant and sex == "male":
        notes.append("the record gives sex male and a pregnancy: sex is left unknown")
        sex = None
    context = Context(
        sex=sex,  # type: ignore[arg-type]
        age=age,
        pregnant=pregnant,
        kidney_disease=kidney or dialysis,
        dialysis=dialysis,
    )
    return context, tuple(notes)
