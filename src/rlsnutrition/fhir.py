"""Reading FHIR lab results into [`LabResult`][rlsnutrition.LabResult]s that ``assess`` takes.

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
values that cannot be read. One person's labs are never mixed with another's: subjects are told
apart the way FHIR resolves references (see ``_fhir_refs``), a source with results for several
subjects needs ``patient=``, and what cannot be told apart is refused, never merged. Only
regular files up to [`fhir.MAX_BYTES`][rlsnutrition.fhir.MAX_BYTES] are read (``max_bytes=`` raises it), as strict UTF-8 JSON
with each key once per object; anything else is a [`FhirError`][rlsnutrition.fhir.FhirError].
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from . import parse_value, read_value
from ._fhir_context import Medicine, read_context, read_medicines
from ._fhir_refs import Index, Key, d, effective, lst, named, names_anywhere, s, shown, split
from ._fhir_source import MAX_BYTES, FhirError, load
from .assessment import Note
from .errors import InvalidLabValueError, UnknownUnitError, listed
from .errors import show as _show
from .knowledge import analytes, rls_factors
from .labs import Censor, Context, LabResult, comparator_of, newest, parse_when
from .model import Analyte

__all__ = ["MAX_BYTES", "FhirError", "FhirLabs", "Medicine", "Skipped", "read", "subject_is_global"]

LOINC = "http://loinc.org"
# LOINC's OID, which documents converted from C-CDA use as the coding system.
_LOINC_SYSTEMS = (LOINC, "urn:oid:2.16.840.1.113883.6.1", None)
UCUM = "http://unitsofmeasure.org"
JUDGED = frozenset({"final", "amended", "corrected", "appended"})
_READABLE = ("Observation", "Bundle", "DiagnosticReport")
_MAX_NESTING = 64  # Bundles in Bundles: no real source nests more than a few deep


@attrs.frozen
class Skipped:
    """A result that was not judged, and why. ``reason_code`` is stable for apps to key on:
    ``status-not-final``, ``data-absent``, ``unknown-code``, ``unit-not-accepted``,
    ``invalid-value``, ``no-value``, ``unresolved-reference``, ``no-subject`` (a result about no
    one, in a source about someone), ``ambiguous-context`` (listed by reports or panels that
    disagree on whom or when it is about, or about another person than the report listing it:
    it is attributed to no one), ``focus-not-subject`` (its ``focus`` names someone or
    something other than its subject, such as a fetus or a donor), ``conflicting``
    (different results for one analyte at the same newest time: neither is judged), ``superseded`` (an older result for an analyte with a
    newer one) or ``retracted`` (a version of a record whose newest version is
    ``entered-in-error``, or that a history Bundle records as deleted).

    Attributes:
        resource: the resource, as the source names it (``"Observation/f001"``).
        code: the LOINC (or other) code it carried, if any.
        reason_code: why it was skipped, from the list above.
        reason: why, in a sentence.
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

    ``subject`` is whom they are about, as the source names that person (a full URL when the
    source gives the server). ``context`` is the [`Context`][rlsnutrition.Context] the source
    gives for that subject (sex and age at the newest result from the Patient, pregnancy,
    chronic kidney disease and dialysis), or None when it says nothing; ``medicines`` lists the
    subject's current medicines that may worsen RLS; ``notes`` what the reader could not use
    as given.

    ``assess`` takes a FhirLabs directly, ``rn.assess(fhir.read(path))``: it judges in
    ``context`` unless given ``context=``, and its warnings carry the notes and medicines.

    Attributes:
        results: the newest result per analyte, for one subject.
        skipped: what was not judged, each with its reason.
        subject: whom the results are about, or None.
        notes: what the reader could not use as given.
        context: the context the source gives for the subject, or None.
        medicines: the subject's current medicines that may worsen RLS.
    """

    results: tuple[LabResult, ...]
    skipped: tuple[Skipped, ...] = ()
    subject: str | None = None
    notes: tuple[str, ...] = ()
    context: Context | None = None
    medicines: tuple[Medicine, ...] = ()

    def assessment_warnings(self) -> tuple[Note, ...]:
        """What an assessment of these labs should warn about: each medicine that may worsen
        RLS (``medication-may-worsen-rls``) and each note (``fhir-note``)."""
        names = {f.id: f.name for f in rls_factors("medicine")}
        out = [
            Note(
                "medication-may-worsen-rls",
                f"The record lists {m.name} ({names.get(m.factor, m.factor)}), which may "
                "worsen RLS symptoms. Review it with the prescriber; do not stop a medicine "
                "without medical advice.",
            )
            for m in self.medicines
        ]
        out += [Note("fhir-note", f"From the FHIR record: {note}.") for note in self.notes]
        return tuple(out)

    def __repr__(self) -> str:
        analytes = ", ".join(r.analyte for r in self.results)
        return (
            f"FhirLabs(subject={self.subject!r}, results=[{analytes}], skipped={len(self.skipped)})"
        )


def read(source: object, *, patient: str | None = None, max_bytes: int = MAX_BYTES) -> FhirLabs:
    """Read lab results from a FHIR Observation, Bundle or DiagnosticReport.

    Args:
        source: a parsed JSON dict, JSON text (str, or bytes in UTF-8), or a path (str or
            os.PathLike) to a regular file.
        patient: which subject to read, as a reference such as ``"Patient/2"`` (every server's
            Patient 2: refused when that is more than one person), a full URL, or
            ``"system|value"`` for a subject given by identifier; needed when the source holds
            results for more than one subject.
        max_bytes: the largest file read (default [`fhir.MAX_BYTES`][rlsnutrition.fhir.MAX_BYTES]).

    Raises:
        FhirError: the source is not a regular file of at most ``max_bytes``, not UTF-8 JSON
            with each key once, not FHIR of those types; it holds results for several subjects
            and ``patient`` was not given; or ``patient`` names none, or several, of them.
        TypeError: ``source`` is of a type that cannot hold FHIR (an int, say).
    """
    if patient is not None and not isinstance(patient, str):
        raise TypeError(
            f"patient must be a reference string such as 'Patient/2', not {_show(patient)}"
        )
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise TypeError(f"max_bytes must be a whole number of bytes, not {_show(max_bytes)}")
    doc, name = load(source, max_bytes)
    if not isinstance(doc, dict) or doc.get("resourceType") not in _READABLE:
        kind = doc.get("resourceType") if isinstance(doc, dict) else type(doc).__name__
        raise FhirError(
            f"{name} is not a FHIR Observation, Bundle or DiagnosticReport (found {_show(kind)})"
        )
    return _Reader(doc, name).read(patient)


def subject_is_global(subject: str) -> bool:
    """Whether a subject, as [`FhirLabs.subject`][rlsnutrition.fhir.FhirLabs] gives it, names
    one person whatever the source: a full URL on a server, a URN (``urn:uuid:...``), or an
    identifier whose system is absolute (``urn:oid:...|123``). A relative ``Patient/1`` (no
    server known: two sources' ``Patient/1`` may be two servers' Patient 1), a contained
    resource or display text names someone only within its own source, so two reads naming
    it cannot be shown to be about one person.

    Examples:
        >>> from rlsnutrition import fhir
        >>> fhir.subject_is_global("http://a.org/fhir/Patient/1")
        True
        >>> fhir.subject_is_global("Patient/1")
        False
    """
    return names_anywhere(subject)


@attrs.frozen
class _Candidate:
    result: LabResult
    subject: Key | None
    resource: str
    value: float  # in the analyte's default unit: equal values compare equal in any unit
    unit: str


def _loinc_map() -> dict[str, Analyte]:
    """Each LOINC code of the analytes ``assess`` judges, and its analyte."""
    known = analytes()
    if _LOINC_CACHE and _LOINC_CACHE[0][0] is known:
        return _LOINC_CACHE[0][1]
    table = {code: a for a in known for code in a.loinc}
    _LOINC_CACHE[:] = [(known, table)]
    return table


_LOINC_CACHE: list[tuple[tuple[Analyte, ...], dict[str, Analyte]]] = []


def _members(resource: dict[str, Any]) -> list[Any]:
    """The members of a panel: R4 ``hasMember``, or STU3 ``related`` of type has-member."""
    members = lst(resource.get("hasMember"))
    related_ = resource.get("related")
    if not related_:
        return members
    members = list(members)
    for related in lst(related_):
        related = d(related)
        if related.get("type") == "has-member":
            members.append(related.get("target"))
    return members


def _version(resource: dict[str, Any]) -> tuple[int | None, datetime | None]:
    meta = d(resource.get("meta"))
    vid = s(meta.get("versionId"))
    return (
        int(vid) if vid is not None and vid.isdigit() and len(vid) < 19 else None,
        parse_when(meta.get("lastUpdated")),
    )


class _Reader:
    """One read of one source: resolves references, judges each Observation once."""

    def __init__(self, doc: dict[str, Any], name: str) -> None:
        self.loinc = _loinc_map()
        self.index = Index()
        self.candidates: list[_Candidate] = []
        self.skipped: list[Skipped] = []
        self.unknown_status = 0
        self.subjects: set[Key] = set()
        self.retired: set[int] = set()
        self.unresolved: list[tuple[Key | None, Skipped]] = []
        self.deleted: list[tuple[str, int]] = []  # (url, resources read before it)
        self._flatten(doc, name)
        self._deletions()
        self._versions()

    def _flatten(self, doc: dict[str, Any], name: str) -> None:
        """Every resource of the source, in its order, Bundles in Bundles opened where they
        stand (a stack of the entries still to read, one per Bundle open)."""
        add = self.index.add_entry
        if doc.get("resourceType") != "Bundle":
            add(doc, None)
            return
        stack = [(iter(lst(doc.get("entry"))), doc.get("type") == "history", 1)]
        while stack:
            entries, history, depth = stack[-1]
            for entry in entries:
                if not isinstance(entry, dict):
                    continue
                inner = entry.get("resource")
                if isinstance(inner, dict):
                    if inner.get("resourceType") == "Bundle":
                        if depth >= _MAX_NESTING:
                            raise FhirError(
                                f"{name} is nested too deeply to read (Bundles in Bundles)"
                            )
                        bundle = (iter(lst(inner.get("entry"))), inner.get("type") == "history")
                        stack.append((*bundle, depth + 1))
                        break
                    full_url = entry.get("fullUrl")
                    add(inner, full_url if isinstance(full_url, str) and full_url else None)
                elif history and _is_deletion(entry):
                    url = s(entry.get("fullUrl")) or s(d(entry.get("request")).get("url"))
                    if url is not None:
                        self.deleted.append((url, len(self.index.resources)))
            else:
                stack.pop()

    def _deletions(self) -> None:
        """A history Bundle lists the newest version first; a DELETE there (or a response of
        410 Gone) retracts the versions listed after it, as ``entered-in-error`` does, so a
        deleted record is never read as current. A version listed before it (re-created
        after the deletion) is read as usual."""
        if not self.deleted:
            return
        order = {id(r): i for i, r in enumerate(self.index.resources)}
        by_name: dict[tuple[str, str], list[Key]] = {}  # (type, id) -> the keys naming it
        for key in self.index.by_key:
            if (named := self.index.meta.get(key)) is not None:
                by_name.setdefault(named, []).append(key)
        for url, at in self.deleted:
            parsed = split(url)
            keys: list[Key]
            if parsed is None:
                keys = [("ref", url)]
            elif parsed[0] is None:  # a relative Type/id: the history's own server
                keys = by_name.get((parsed[1], parsed[2]), [])
            else:
                keys = [("ref", f"{parsed[0]}/{parsed[1]}/{parsed[2]}")]
            for key in keys:
                versions = self.index.by_key.get(key, [])
                gone = [v for v in versions if order[id(v)] >= at]
                for v in gone:
                    self.retired.add(id(v))
                    self._skip(
                        shown(key),
                        _code_text(v),
                        "retracted",
                        f"{shown(key)} was deleted (a DELETE in the history Bundle): its older "
                        "versions are not read",
                    )
                versions[:] = [v for v in versions if order[id(v)] < at]

    def _versions(self) -> None:
        """Several versions of one resource (a history Bundle): only the newest is read, so a
        newest version ``entered-in-error`` retracts the older ones rather than leaving them.
        Versions that cannot be ordered are read side by side, unless one retracts them all."""
        for key, versions in self.index.by_key.items():
            if len(versions) < 2:
                continue
            stamps = [_version(v) for v in versions]
            ids, times = [v[0] for v in stamps], [v[1] for v in stamps]
            current: dict[str, Any] | None = None
            if None not in ids and len(set(ids)) == len(ids):
                current = versions[max(range(len(ids)), key=lambda i: ids[i] or 0)]
            elif None not in times and len(set(times)) == len(times):
                current = versions[max(range(len(times)), key=lambda i: times[i] or 0)]
            elif all(v == versions[0] for v in versions):
                current = versions[0]
            if current is None:
                if not any(v.get("status") == "entered-in-error" for v in versions):
                    continue
                current = next(v for v in versions if v.get("status") == "entered-in-error")
            for v in versions:
                if v is not current:
                    self.retired.add(id(v))
                    if v != current and current.get("status") == "entered-in-error":
                        self._skip(
                            shown(key),
                            None,
                            "retracted",
                            f"a version of {shown(key)} is entered-in-error: none of its versions "
                            "is read",
                        )
            versions[:] = [current]

    def read(self, patient: str | None) -> FhirLabs:
        contexts = self._contexts()
        index, retired = self.index, self.retired
        nodes, subject_of = index.nodes, index.subject_of
        # Whom each Observation is about, first: when it was taken, and whether the reports
        # listing it disagree on that, matter only for the subject chosen (or for no one).
        plans: list[tuple[dict[str, Any], Key | None, list[tuple[str | None, Key | None]]]] = []
        add_subject = self.subjects.add  # those inherited from reports were added by _contexts
        for resource in index.resources:
            if resource.get("resourceType") != "Observation":
                continue
            if retired:
                container = nodes[id(resource)].container
                if id(resource) in retired or (container is not None and id(container) in retired):
                    continue  # retracted, or contained in a retracted version
            own = subject_of(resource)
            if own is not None:
                add_subject(own)
            plans.append((resource, own, contexts.get(id(resource), [])))
        subject = self._choose_subject(patient)
        # Only what is about the chosen subject, or about no one, is read and reported: other
        # people's results (and why theirs were skipped) are not this person's business.
        for holder_subject, skip in self.unresolved:
            if holder_subject in (subject, None):
                self.skipped.append(skip)
        for obs, own, inherited in plans:
            if own is not None and own != subject:
                for _, about in inherited:
                    if about == subject:
                        break  # ambiguous: about the subject, and about someone else
                else:
                    continue  # about someone else
            subjects = set() if own is None else {own}
            for _, about in inherited:
                if about is not None:
                    subjects.add(about)
            if subjects and subject not in subjects:
                continue  # about someone else (or ambiguous among others)
            when, ambiguous = self._when(obs, subjects, inherited)
            label = index.label(obs)
            if ambiguous is not None:  # reported, also when it names no one
                self._skip(label, _code_text(obs), "ambiguous-context", ambiguous)
            elif not subjects and subject is not None:
                # In a source about someone, a result about no one may be anyone's.
                self._skip(
                    label,
                    _code_text(obs),
                    "no-subject",
                    f"it names no subject, and the other results are about {shown(subject)}",
                )
            else:
                self._observation(obs, label, subject, when)
        results = self._newest(self.candidates)
        notes: list[str] = []
        if self.unknown_status:
            notes.append(
                f"{self.unknown_status} result(s) had status 'unknown' and were judged as given"
            )
        current = index.resources
        if retired:
            current = [r for r in current if id(r) not in retired]
        dates = [w for w in (parse_when(r.when) for r in results) if w is not None]
        held = index.named(subject) if subject is not None else None
        person = held if held is not None and held.get("resourceType") == "Patient" else None
        context, context_notes = read_context(
            index, subject, person, current, max(dates, default=None)
        )
        notes += context_notes
        medicines = read_medicines(index, subject, current)
        return FhirLabs(
            tuple(results),
            tuple(self.skipped),
            None if subject is None else shown(subject),
            tuple(notes),
            context,
            medicines,
        )

    @staticmethod
    def _when(
        obs: dict[str, Any], subjects: set[Key], inherited: list[tuple[str | None, Key | None]]
    ) -> tuple[str | None, str | None]:
        """When an Observation was taken, and why that (or whom it is about) is ambiguous
        (None: it is not), from the Observation and the reports and panels listing it."""
        own_when = effective(obs)
        whens = {when for when, _ in inherited if when is not None}
        if len(subjects) > 1 or (own_when is None and len(whens) > 1):
            about = named(list(subjects)) if len(subjects) > 1 else sorted(whens)
            return (
                None,
                "the reports or panels listing it disagree on whom or when it is about "
                f"({', '.join(about)}); it is attributed to no one",
            )
        return own_when or next(iter(whens), None), None

    def _contexts(self) -> dict[int, list[tuple[str | None, Key | None]]]:
        """The dates and subjects each Observation inherits from the reports and panels that
        list it (an Observation listed by two that disagree is ambiguous, not first-come)."""
        contexts: dict[int, list[tuple[str | None, Key | None]]] = {}
        index, retired = self.index, self.retired
        resolve_each, subject_of = index.resolve_each, index.subject_of
        work: list[tuple[dict[str, Any], list[Any], tuple[str | None, Key | None]]] = []
        for resource in index.resources:
            rtype = resource.get("resourceType")
            if rtype == "DiagnosticReport":
                if id(resource) not in retired:
                    work.append((resource, lst(resource.get("result")), (None, None)))
            elif (
                rtype == "Observation"
                and ("hasMember" in resource or "related" in resource)
                and id(resource) not in retired
                and (members := _members(resource))
            ):
                work.append((resource, members, (None, None)))
        while work:
            holder, refs, inherited = work.pop()
            ctx = (effective(holder) or inherited[0], subject_of(holder) or inherited[1])
            if ctx[1] is not None:
                self.subjects.add(ctx[1])  # a report about someone holds their results
            for ref, targets in resolve_each(refs, holder):
                if not targets:
                    label = index.label(holder)
                    skip = Skipped(
                        ref or label,
                        None,
                        "unresolved-reference",
                        f"{label} refers to {_show(ref)}, which the source does not hold",
                    )
                    self.unresolved.append((ctx[1], skip))
                    continue
                for target in targets:
                    held = contexts.get(id(target))
                    if held is None:
                        held = contexts[id(target)] = []
                    elif not _adds(held, ctx):
                        continue
                    held.append(ctx)
                    if (
                        target.get("resourceType") == "Observation"
                        and ("hasMember" in target or "related" in target)
                        and (members := _members(target))
                    ):
                        work.append((target, members, ctx))
        return contexts

    def _skip(self, label: str, code: str | None, reason_code: str, reason: str) -> None:
        self.skipped.append(Skipped(label, code, reason_code, reason))

    def _observation(
        self, obs: dict[str, Any], label: str, subject: Key | None, when: str | None
    ) -> None:
        code_text = _code_text(obs)
        status = s(obs.get("status"))  # a status of another JSON type is no status
        if status not in JUDGED and status != "unknown":
            shown = _show(obs.get("status"))
            self._skip(label, code_text, "status-not-final", f"status is {shown}, not final")
            return
        focus = self._other_focus(obs, subject) if "focus" in obs else None
        if focus is not None:
            self._skip(
                label,
                code_text,
                "focus-not-subject",
                f"its focus is {focus}, not its subject: the result is about someone or "
                "something else (a fetus, a donor, a relative)",
            )
            return
        if obs.get("dataAbsentReason") is not None:
            reason = s(d(obs.get("dataAbsentReason")).get("text")) or _code_text(
                {"code": obs.get("dataAbsentReason")}
            )
            self._skip(label, code_text, "data-absent", f"no value: {reason or 'data absent'}")
            return
        parts: list[tuple[dict[str, Any], str]] = []
        components = lst(obs.get("component"))
        has_value = _has_value(obs)
        if has_value or not components:
            parts.append((obs, label))
        for i, component in enumerate(components):
            if isinstance(component, dict):
                parts.append((component, f"{label} component {i + 1}"))
        judged_any = False
        for part, part_label in parts:
            analyte = self._analyte(part)
            if analyte is None:
                if part is obs and not has_value and _members(obs):
                    continue  # a panel: its members are read on their own
                self._skip(
                    part_label,
                    code_text if part is obs else _code_text(part),
                    "unknown-code",
                    "no analyte rlsnutrition judges has this code",
                )
                continue
            candidate = self._value(part, part_label, analyte, when, subject)
            if candidate is not None:
                judged_any = True
                self.candidates.append(candidate)
        if judged_any and status == "unknown":
            self.unknown_status += 1

    def _other_focus(self, obs: dict[str, Any], subject: Key | None) -> str | None:
        """What an Observation's ``focus`` names when that is not its subject (R4: the
        result is about the focus, "when it is not about the subject of record"); None when
        it has no focus, or its focus is the subject itself."""
        for item in lst(obs.get("focus")):
            ref = s(d(item).get("reference"))
            if ref is None or subject is None or self.index.key_of(ref, obs) != subject:
                shown = ref or s(d(item).get("display")) or "a resource named by no reference"
                return _show(shown)
        return None

    def _analyte(self, part: dict[str, Any]) -> Analyte | None:
        for coding in lst(d(part.get("code")).get("coding")):
            coding = d(coding)
            system, code = s(coding.get("system")), s(coding.get("code"))
            if code is not None and system in _LOINC_SYSTEMS:
                analyte = self.loinc.get(code)
                if analyte is not None:
                    return analyte
        return None

    def _value(
        self,
        part: dict[str, Any],
        label: str,
        analyte: Analyte,
        when: str | None,
        subject: Key | None,
    ) -> _Candidate | None:
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
                comparator = comparator_of(raw_cmp)  # the library's one vocabulary
                if comparator is None:
                    self._skip(
                        label,
                        code,
                        "invalid-value",
                        f"comparator {_show(raw_cmp)} cannot be judged",
                    )
                    return None
            ucum = s(quantity.get("code")) if quantity.get("system") in (UCUM, None) else None
            units = [u for u in (ucum, s(quantity.get("unit"))) if u]
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
                given = parse_value(analyte, raw)
            except InvalidLabValueError:
                self._skip(label, code, "invalid-value", f"value {_show(raw)} cannot be read")
                return None
            value, comparator, units = given.value, given.comparator, [given.unit]
        else:
            self._skip(label, code, "no-value", "no numeric value (valueQuantity or valueString)")
            return None
        last_error = ""
        for unit in units:
            try:
                m = read_value(analyte, (value, unit))
            except UnknownUnitError as exc:
                last_error = str(exc)
                continue
            except InvalidLabValueError as exc:
                self._skip(label, code, "invalid-value", str(exc))
                return None
            value = 0.0 if value == 0 else value  # -0.0 (a JSON "-0") is 0
            result = LabResult(analyte.id, value, unit, comparator, when)
            return _Candidate(result, subject, label, m.value, m.unit)
        self._skip(label, code, "unit-not-accepted", last_error)
        return None

    def _choose_subject(self, patient: str | None) -> Key | None:
        if patient is not None:
            matches = self.index.match(patient, self.subjects)
            if len(matches) > 1:
                raise FhirError(
                    f"{_show(patient)} matches {len(matches)} subjects "
                    f"({listed(named(matches))}), "
                    "who may be different people; pass the one meant in full"
                )
            if not matches:
                found = listed(named(list(self.subjects))) or "none"
                raise FhirError(
                    f"no results for {_show(patient)} in the source; subjects found: {found}"
                )
            return matches[0]
        if len(self.subjects) > 1:
            subjects = named(list(self.subjects))
            raise FhirError(
                f"the source holds results for {len(subjects)} subjects ({listed(subjects)}); "
                "pass patient='Patient/...' to choose one, so that one person's labs are never "
                "mixed with another's"
            )
        return next(iter(self.subjects), None)

    def _newest(self, chosen: list[_Candidate]) -> list[LabResult]:
        """The newest result per analyte, by the library's one policy
        (`newest()`): what it sets aside is skipped with the reason."""
        picked = newest(
            chosen,
            analyte=lambda c: c.result.analyte,
            when=lambda c: c.result.when,
            same=lambda c: (c.value, c.result.comparator),
            text=lambda c: (
                f"{c.result.comparator or ''}{c.result.value:g} {c.result.unit or ''}".strip()
            ),
            order=lambda c: c.resource,
        )
        for conflict in picked.conflicts:
            reason = str(conflict)  # one string, shared by every result it names
            for c in conflict.results:
                self._skip(c.resource, conflict.analyte, "conflicting", reason)
        kept = {c.result.analyte: c for c in picked.results}
        tops: dict[str, str] = {}
        for c in picked.superseded:
            analyte = c.result.analyte
            why = tops.get(analyte)
            if why is None:
                top = kept.get(analyte)
                why = tops[analyte] = (
                    f"a newer {analyte} result ({top.result.when or 'undated'}) was kept"
                    if top is not None
                    else f"newer {analyte} results were found, and conflict"
                )
            self._skip(c.resource, analyte, "superseded", why)
        order = {a.id: i for i, a in enumerate(analytes())}
        return sorted((c.result for c in kept.values()), key=lambda r: order[r.analyte])


def _adds(held: list[tuple[str | None, Key | None]], ctx: tuple[str | None, Key | None]) -> bool:
    """Whether a report or panel's context ``ctx`` can change what the contexts ``held`` for one
    result already say: a subject not among them, or a date not among them while fewer than two
    dates are (two dates already disagree). Once two subjects are held the result is ambiguous
    whatever else lists it, so the list stays short however many reports list a result, and
    what it says does not depend on the order the reports come in."""
    subjects = {about for _, about in held if about is not None}
    if len(subjects) > 1:
        return False
    when, about = ctx
    if about is not None and about not in subjects:
        return True
    if when is None:
        return False
    whens = {w for w, _ in held if w is not None}
    return when not in whens and len(whens) < 2


def _is_deletion(entry: dict[str, Any]) -> bool:
    """An entry of a history Bundle that records a deletion: no resource, and a DELETE
    request or a 410 Gone response."""
    method = d(entry.get("request")).get("method")
    status = s(d(entry.get("response")).get("status"))
    return method == "DELETE" or (status is not None and status.startswith("410"))


def _has_value(part: dict[str, Any]) -> bool:
    if "valueQuantity" in part or "valueString" in part:  # the usual ones, without a scan
        return True
    return any(key.startswith("value") for key in part)


def _code_text(part: dict[str, Any]) -> str | None:
    code = part.get("code")
    if not isinstance(code, dict):
        return None
    codings = code.get("coding")
    for coding in codings if isinstance(codings, list) else ():
        c = coding.get("code") if isinstance(coding, dict) else None
        if isinstance(c, str) and c:
            return c
    return s(code.get("text"))
