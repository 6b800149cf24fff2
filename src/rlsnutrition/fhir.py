"""Reading FHIR lab results into :class:`~rlsnutrition.LabResult`\\ s that ``assess`` takes.

FHIR R4 JSON (STU3 tolerated) is read as plain dicts: an Observation, a Bundle (of any type,
Bundles nested in Bundles included), or a DiagnosticReport. LOINC codes are mapped through the
analyte registry in the packaged data; units through the analyte's accepted units.

Examples:
    >>> from rlsnutrition import fhir
    >>> labs = fhir.read({
    ...     "resourceType": "Observation", "status": "final",
    ...     "code": {"coding": [{"system": "http://loinc.org", "code": "2276-4"}]},
    ...     "valueQuantity": {"value": 45, "unit": "ng/mL"},
    ... })
    >>> labs.results
    (LabResult(analyte='ferritin', value=45.0, unit='ng/mL', comparator=None, when=None),)

What must not be judged is skipped, each with its reason, never guessed: results that are not
final (``registered``, ``preliminary``, ``cancelled``, ``entered-in-error``), results with a
``dataAbsentReason``, codes the registry does not know, units the analyte does not accept, and
values that cannot be read. One person's labs are never mixed with another's: a source with
results for several subjects needs ``patient=``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ._knowledge import Knowledge, knowledge
from ._parse import find_analyte, measure, parse_number
from .errors import InvalidLabValueError, RLSNutritionError, UnknownAnalyteError, UnknownUnitError
from .errors import show as _show
from .labs import NO_DATE, Censor, LabResult
from .labs import parse_when as parse_date
from .model import Analyte

__all__ = ["FhirError", "FhirLabs", "Skipped", "read"]

LOINC = "http://loinc.org"
# LOINC's OID, which documents converted from C-CDA use as the coding system.
_LOINC_SYSTEMS = (LOINC, "urn:oid:2.16.840.1.113883.6.1", None)
UCUM = "http://unitsofmeasure.org"
JUDGED = frozenset({"final", "amended", "corrected", "appended"})
_CENSORS: dict[str, Censor] = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_READABLE = ("Observation", "Bundle", "DiagnosticReport")


class FhirError(RLSNutritionError, ValueError):
    """A FHIR source cannot be read as a whole: not JSON, not a FHIR Observation, Bundle or
    DiagnosticReport, results for several subjects without ``patient=``, or an unknown patient.
    """


@attrs.frozen
class Skipped:
    """A result that was not judged, and why. ``reason_code`` is stable for apps to key on:
    ``status-not-final``, ``data-absent``, ``unknown-code``, ``unit-not-accepted``,
    ``invalid-value``, ``no-value``, ``unresolved-reference``, ``no-subject`` (a result about no
    one, in a source about someone), ``conflicting`` (different results for one analyte at the
    same newest time: neither is judged) or ``superseded`` (an older result for an analyte with
    a newer one).
    """

    resource: str
    code: str | None
    reason_code: str
    reason: str

    def __str__(self) -> str:
        code = f" ({self.code})" if self.code else ""
        return f"{self.resource}{code}: {self.reason}"


@attrs.frozen
class FhirLabs:
    """The lab results read from a FHIR source: the newest per analyte, and what was skipped.

    ``assess`` takes a FhirLabs directly: ``rn.assess(fhir.read(path))``.
    """

    results: tuple[LabResult, ...]
    skipped: tuple[Skipped, ...] = ()
    subject: str | None = None
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        analytes = ", ".join(r.analyte for r in self.results)
        return (
            f"FhirLabs(subject={self.subject!r}, results=[{analytes}], skipped={len(self.skipped)})"
        )


def read(source: object, *, patient: str | None = None) -> FhirLabs:
    """Read lab results from a FHIR Observation, Bundle or DiagnosticReport.

    Args:
        source: a parsed JSON dict, a JSON string, or a path (str or os.PathLike) to a file.
        patient: which subject to read, as a reference such as ``"Patient/2"``; needed when the
            source holds results for more than one subject.

    Raises:
        FhirError: the source is not readable FHIR JSON of those types, it holds results for
            several subjects and ``patient`` was not given, or ``patient`` is not among them.
        TypeError: ``source`` is of a type that cannot hold FHIR (an int, say).
    """
    doc, name = _load(source)
    if not isinstance(doc, dict) or doc.get("resourceType") not in _READABLE:
        kind = doc.get("resourceType") if isinstance(doc, dict) else type(doc).__name__
        raise FhirError(
            f"{name} is not a FHIR Observation, Bundle or DiagnosticReport (found {_show(kind)})"
        )
    if patient is not None and not isinstance(patient, str):
        raise TypeError(
            f"patient must be a reference string such as 'Patient/2', not {_show(patient)}"
        )
    try:
        return _Reader(doc, knowledge()).read(patient)
    except RecursionError:  # resources nested thousands deep: no real source does this
        raise FhirError(f"{name} is nested too deeply to read") from None


_BOM_AND_SPACE = "\ufeff \t\r\n"


def _load(source: object) -> tuple[Any, str]:
    if isinstance(source, Mapping):
        return dict(source), "the FHIR source"
    if isinstance(source, bytes):
        source = source.decode("utf-8", errors="replace")
    text = source.lstrip(_BOM_AND_SPACE) if isinstance(source, str) else ""
    if text.startswith(("{", "[")):
        try:
            return json.loads(text), "the FHIR JSON text"
        except (ValueError, RecursionError) as exc:
            raise FhirError(f"the FHIR JSON text is not valid JSON: {exc}") from None
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise FhirError(f"cannot read FHIR file {path}: {exc}") from None
        try:
            return json.loads(text), f"FHIR file {path}"
        except (ValueError, RecursionError) as exc:
            raise FhirError(f"FHIR file {path} is not valid JSON: {exc}") from None
    raise TypeError(
        "fhir.read() takes a dict, a JSON string or a path to a JSON file, "
        f"not {type(source).__name__}"
    )


def _d(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _effective(resource: dict[str, Any]) -> str | None:
    period = _d(resource.get("effectivePeriod"))
    return (
        _s(resource.get("effectiveDateTime"))
        or _s(resource.get("effectiveInstant"))
        or _s(period.get("end"))
        or _s(period.get("start"))
        or _s(resource.get("issued"))
    )


def _label(resource: dict[str, Any], fallback: str) -> str:
    rtype, rid = _s(resource.get("resourceType")), _s(resource.get("id"))
    return f"{rtype}/{rid}" if rtype and rid else fallback


@attrs.frozen
class _Candidate:
    result: LabResult
    subject: str | None
    resource: str
    when: datetime | None


class _Reader:
    """One read of one source: resolves references, judges each Observation once."""

    def __init__(self, doc: dict[str, Any], k: Knowledge) -> None:
        self.k = k
        self.by_ref: dict[str, dict[str, Any]] = {}
        self.container: dict[int, dict[str, Any]] = {}
        self.resources: list[tuple[dict[str, Any], str]] = []
        self._flatten(doc, "")
        self.patients = {
            url: f"Patient/{res['id']}"
            for url, res in self.by_ref.items()
            if res.get("resourceType") == "Patient" and _s(res.get("id"))
        }
        self.candidates: list[_Candidate] = []
        self.skipped: list[Skipped] = []
        self.unknown_status = 0
        self.subjects: set[str] = set()

    def _flatten(self, resource: dict[str, Any], full_url: str) -> None:
        rtype = resource.get("resourceType")
        if rtype == "Bundle":
            for entry in _l(resource.get("entry")):
                entry = _d(entry)
                inner = entry.get("resource")
                if isinstance(inner, dict):
                    self._flatten(inner, _s(entry.get("fullUrl")) or "")
            return
        label = _label(resource, full_url or f"{rtype or 'resource'} #{len(self.resources) + 1}")
        self.resources.append((resource, label))
        # Contained resources (a report's results, inline) are read too; "#id" finds them.
        for inner in _l(resource.get("contained")):
            if isinstance(inner, dict):
                self.container[id(inner)] = resource
                inner_id = _s(inner.get("id")) or "?"
                self.resources.append((inner, f"{label} contained #{inner_id}"))
        for key in {full_url, label} - {""}:
            self.by_ref.setdefault(key, resource)
            # An absolute URL also answers to its last two segments ("Patient/1").
            tail = "/".join(key.split("/")[-2:])
            if key.startswith(("http://", "https://")):
                self.by_ref.setdefault(tail, resource)

    def _resolve(self, ref: str, holder: dict[str, Any]) -> dict[str, Any] | None:
        """The resource ``ref`` names: ``#id`` among the resources contained in the holder
        (or in the resource that contains the holder), anything else in the source."""
        if not ref.startswith("#"):
            return self.by_ref.get(ref)
        outer = self.container.get(id(holder), holder)
        for inner in _l(outer.get("contained")):
            if isinstance(inner, dict) and _s(inner.get("id")) == ref[1:]:
                return inner
        return None

    def subject_of(self, resource: dict[str, Any]) -> str | None:
        """Who a resource is about, as a key: its reference, else its identifier
        (``system|value``), else its display text."""
        subject = _d(resource.get("subject"))
        ref = _s(subject.get("reference"))
        if ref is not None:
            return self.normalize(ref)
        identifier = _d(subject.get("identifier"))
        value = _s(identifier.get("value"))
        if value is not None:
            return f"{_s(identifier.get('system')) or ''}|{value}"
        display = _s(subject.get("display"))
        return None if display is None else f"display:{display}"

    def normalize(self, ref: str) -> str:
        """A subject reference in one form: a urn:uuid becomes the ``Type/id`` of the resource
        it names. Absolute URLs stay whole: the same id on two servers is two people."""
        return self.patients.get(ref, ref)

    def read(self, patient: str | None) -> FhirLabs:
        contexts = self._contexts()
        seen: set[int] = set()
        for resource, label in self.resources:
            if resource.get("resourceType") == "Observation" and id(resource) not in seen:
                seen.add(id(resource))
                when, subject = contexts.get(id(resource), (None, None))
                self._observation(resource, label, when, subject)
        subject = self._choose_subject(patient)
        chosen = [c for c in self.candidates if c.subject == subject]
        for c in self.candidates:
            if c.subject is None and subject is not None:
                # In a source about someone, a result about no one may be anyone's.
                self._skip(
                    c.resource,
                    c.result.analyte,
                    "no-subject",
                    f"it names no subject, and the other results are about {subject}",
                )
        results = self._newest(chosen)
        notes: tuple[str, ...] = ()
        if self.unknown_status:
            notes = (
                f"{self.unknown_status} result(s) had status 'unknown' and were judged as given",
            )
        return FhirLabs(tuple(results), tuple(self.skipped), subject, notes)

    def _contexts(self) -> dict[int, tuple[str | None, str | None]]:
        """The date and subject each Observation inherits from the report or panel holding it."""
        contexts: dict[int, tuple[str | None, str | None]] = {}

        def visit(holder: dict[str, Any], label: str, key: str, inherited: tuple[Any, Any]) -> None:
            when = _effective(holder) or inherited[0]
            subject = self.subject_of(holder) or inherited[1]
            for ref_obj in _l(holder.get(key)):
                ref = _s(_d(ref_obj).get("reference"))
                target = None if ref is None else self._resolve(ref, holder)
                if target is None:
                    self.skipped.append(
                        Skipped(
                            ref or label,
                            None,
                            "unresolved-reference",
                            f"{label} refers to {_show(ref)}, which the source does not hold",
                        )
                    )
                    continue
                if id(target) in contexts:
                    continue
                contexts[id(target)] = (when, subject)
                if target.get("resourceType") == "Observation" and target.get("hasMember"):
                    visit(target, _label(target, ref or label), "hasMember", (when, subject))

        for resource, label in self.resources:
            if resource.get("resourceType") == "DiagnosticReport":
                visit(resource, label, "result", (None, None))
        for resource, label in self.resources:
            if (
                resource.get("resourceType") == "Observation"
                and id(resource) not in contexts
                and resource.get("hasMember")
            ):
                visit(resource, label, "hasMember", (None, None))
        return contexts

    def _skip(self, label: str, code: str | None, reason_code: str, reason: str) -> None:
        self.skipped.append(Skipped(label, code, reason_code, reason))

    def _observation(
        self, obs: dict[str, Any], label: str, ctx_when: str | None, ctx_subject: str | None
    ) -> None:
        subject = self.subject_of(obs) or ctx_subject
        if subject is not None:
            self.subjects.add(subject)
        code_text = _code_text(obs)
        status = obs.get("status")
        if status not in JUDGED and status != "unknown":
            self._skip(
                label, code_text, "status-not-final", f"status is {_show(status)}, not final"
            )
            return
        if obs.get("dataAbsentReason") is not None:
            reason = _s(_d(obs.get("dataAbsentReason")).get("text")) or _code_text(
                {"code": obs.get("dataAbsentReason")}
            )
            self._skip(label, code_text, "data-absent", f"no value: {reason or 'data absent'}")
            return
        when = _effective(obs) or ctx_when
        parts: list[tuple[dict[str, Any], str]] = []
        if _has_value(obs) or not _l(obs.get("component")):
            parts.append((obs, label))
        for i, component in enumerate(_l(obs.get("component"))):
            if isinstance(component, dict):
                parts.append((component, f"{label} component {i + 1}"))
        judged_any = False
        for part, part_label in parts:
            analyte = self._analyte(part)
            if analyte is None:
                if part is obs and obs.get("hasMember") and not _has_value(obs):
                    continue  # a panel: its members are read on their own
                self._skip(
                    part_label,
                    _code_text(part),
                    "unknown-code",
                    "no analyte rlsnutrition judges has this code",
                )
                continue
            result = self._value(part, part_label, analyte, when)
            if result is not None:
                judged_any = True
                self.candidates.append(
                    _Candidate(result, subject, part_label, parse_date(result.when))
                )
        if judged_any and status == "unknown":
            self.unknown_status += 1

    def _analyte(self, part: dict[str, Any]) -> Analyte | None:
        for coding in _l(_d(part.get("code")).get("coding")):
            coding = _d(coding)
            system, code = _s(coding.get("system")), _s(coding.get("code"))
            if code is None or system not in _LOINC_SYSTEMS:
                continue
            try:
                analyte = find_analyte(code, self.k)
            except UnknownAnalyteError:
                continue
            if code in analyte.loinc:
                return analyte
        return None

    def _value(
        self, part: dict[str, Any], label: str, analyte: Analyte, when: str | None
    ) -> LabResult | None:
        code = _code_text(part)
        quantity = part.get("valueQuantity")
        comparator: Censor | None = None
        units: list[str | None]
        if isinstance(quantity, dict):
            number = quantity.get("value")
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                self._skip(label, code, "no-value", "valueQuantity has no number")
                return None
            raw_cmp = quantity.get("comparator")
            if raw_cmp is not None:
                if not isinstance(raw_cmp, str) or raw_cmp not in _CENSORS:
                    self._skip(
                        label,
                        code,
                        "invalid-value",
                        f"comparator {_show(raw_cmp)} cannot be judged",
                    )
                    return None
                comparator = _CENSORS[raw_cmp]
            ucum = _s(quantity.get("code")) if quantity.get("system") in (UCUM, None) else None
            units = [u for u in (ucum, _s(quantity.get("unit"))) if u]
            if not units:  # a quantity in no stated unit would be a guess
                self._skip(label, code, "unit-not-accepted", "the quantity states no unit")
                return None
            try:
                value = float(number)
            except OverflowError:  # json.loads reads integers of any size
                self._skip(label, code, "invalid-value", f"value {_show(number)} is too large")
                return None
        elif isinstance(part.get("valueString"), str) or isinstance(part.get("valueInteger"), int):
            raw = part.get("valueString", part.get("valueInteger"))
            try:
                value, comparator, text_unit = parse_number(analyte, raw)
            except InvalidLabValueError:
                self._skip(label, code, "invalid-value", f"value {_show(raw)} cannot be read")
                return None
            units = [text_unit]
        else:
            self._skip(label, code, "no-value", "no numeric value (valueQuantity or valueString)")
            return None
        last_error = ""
        for unit in units:
            try:
                measure(analyte, (value, unit), self.k)
            except UnknownUnitError as exc:
                last_error = str(exc)
                continue
            except InvalidLabValueError as exc:
                self._skip(label, code, "invalid-value", str(exc))
                return None
            return LabResult(analyte.id, value, unit, comparator, when)
        self._skip(label, code, "unit-not-accepted", last_error)
        return None

    def _choose_subject(self, patient: str | None) -> str | None:
        subjects = sorted(self.subjects)
        if patient is not None:
            wanted = self.normalize(patient)
            # "Patient/1" also names an absolute ".../Patient/1", when only one server has it.
            if wanted not in self.subjects:
                near = [s for s in subjects if s.endswith("/" + wanted)]
                if len(near) > 1:
                    raise FhirError(
                        f"{_show(patient)} matches {len(near)} subjects ({', '.join(near)}); "
                        "pass the one meant in full"
                    )
                wanted = near[0] if near else wanted
            if wanted not in self.subjects:
                found = ", ".join(subjects) or "none"
                raise FhirError(
                    f"no results for {_show(patient)} in the source; subjects found: {found}"
                )
            return wanted
        if len(subjects) > 1:
            raise FhirError(
                f"the source holds results for {len(subjects)} subjects ({', '.join(subjects)}); "
                "pass patient='Patient/...' to choose one, so that one person's labs are never "
                "mixed with another's"
            )
        return subjects[0] if subjects else None

    def _newest(self, chosen: list[_Candidate]) -> list[LabResult]:
        """The newest result per analyte; dated beats undated. Two different results at the
        newest instant (or both undated) cannot be told apart: both are skipped as
        ``conflicting``, and so is the analyte, rather than one kept by guess."""

        def when(c: _Candidate) -> tuple[bool, datetime]:
            return (c.when is not None, c.when or NO_DATE)

        by_analyte: dict[str, list[_Candidate]] = {}
        for c in chosen:
            by_analyte.setdefault(c.result.analyte, []).append(c)
        kept: list[LabResult] = []
        for analyte, group in by_analyte.items():
            newest = max(when(c) for c in group)
            top = [c for c in group if when(c) == newest]
            shown = {(c.result.value, c.result.comparator, c.result.unit) for c in top}
            keep = None if len(shown) > 1 else max(top, key=lambda c: c.resource)
            values = " and ".join(
                f"{cmp or ''}{v:g} {u or ''}".strip()
                for v, cmp, u in sorted(shown, key=lambda s: (s[0], s[1] or "", s[2] or ""))
            )
            for c in group:
                if keep is None and c in top:
                    self._skip(
                        c.resource,
                        analyte,
                        "conflicting",
                        f"{analyte} has different results ({values}) at the same "
                        f"{'time' if newest[0] else 'no date'}; neither is judged",
                    )
                elif c is not keep:
                    self._skip(
                        c.resource,
                        analyte,
                        "superseded",
                        f"a newer {analyte} result ({top[0].result.when or 'undated'}) "
                        + ("was kept" if keep is not None else "was found, and conflicts"),
                    )
            if keep is not None:
                kept.append(keep.result)
        order = {a.id: i for i, a in enumerate(self.k.analytes)}
        return sorted(kept, key=lambda r: order[r.analyte])


def _has_value(part: dict[str, Any]) -> bool:
    return any(key.startswith("value") for key in part)


def _code_text(part: dict[str, Any]) -> str | None:
    code = _d(part.get("code"))
    for coding in _l(code.get("coding")):
        c = _s(_d(coding).get("code"))
        if c:
            return c
    return _s(code.get("text"))
