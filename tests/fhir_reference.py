"""The FHIR reader as it was before issue 12 made it faster (rlsnutrition 4a9b38b:
``fhir._Reader`` and ``_fhir_refs.Index``), kept only as the reference that the faster reader
must agree with on drawn sources (tests/test_fhir_fast.py). Not used by the library. Only what
issue 12 changed is kept here; the rest is inherited from today's classes, unchanged since."""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

import re
from typing import Any, NamedTuple

from rlsnutrition import _fhir_refs as refs
from rlsnutrition import fhir
from rlsnutrition._fhir_context import read_context, read_medicines
from rlsnutrition._fhir_refs import Key, d, effective, is_absolute, lst, named, s, shown
from rlsnutrition._fhir_source import FhirError
from rlsnutrition._knowledge import Knowledge, knowledge  # noqa: F401 (test_fhir_fast)
from rlsnutrition.errors import listed
from rlsnutrition.errors import show as _show
from rlsnutrition.fhir import (  # unchanged since
    JUDGED,
    _MAX_NESTING,
    FhirLabs,
    Skipped,
    _adds,  # the fix of which contexts a result keeps (order never matters), shared
    _Candidate,
    _is_deletion,
    _loinc_map,
    _members,
)
from rlsnutrition.labs import parse_when

_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}\Z")
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}\Z")


def split(ref: str) -> tuple[str | None, str, str] | None:
    """``(base, type, id)`` of a RESTful reference or URL, without its version: base is None
    for a relative one. None for anything else (a URN, an opaque URL)."""
    head, sep, rid = ref.rpartition("/")
    rest, sep2, rtype = head.rpartition("/")
    if rtype == "_history" and sep2:  # .../Type/id/_history/version
        head, sep, rid = rest.rpartition("/")
        rest, sep2, rtype = head.rpartition("/")
    if not sep or not _TYPE.match(rtype) or not _ID.match(rid):
        return None
    if not sep2 or rest in ("", "."):
        return None, rtype, rid
    if "://" in rest:
        return rest, rtype, rid
    return None  # a path that is neither relative Type/id nor an absolute URL


class Node(NamedTuple):
    """Where one resource sits in the source."""

    key: Key | None  # how references name it; None when nothing can
    base: str | None  # server base for relative references; None: none
    container: dict[str, Any] | None  # the resource that contains it
    label: str  # for messages
    scope: str  # unique to this resource object: contained ids live under it


class Index(refs.Index):
    """Every resource of a source, found by what references name it."""

    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.by_key: dict[Key, list[dict[str, Any]]] = {}
        self.resources: list[dict[str, Any]] = []
        self.meta: dict[Key, tuple[str, str]] = {}  # subject key -> (type, id) it names
        self._written: dict[Key, tuple[str, dict[str, Any]]] = {}  # subject key -> a ref to it
        self._subjects: dict[int, object] = {}
        self._keys: dict[tuple[str, str | None], Key] = {}
        # each container's contained resources by id, indexed once: "#id" costs one look-up
        self._contained: dict[int, dict[str, list[dict[str, Any]]]] = {}

    def add_entry(self, resource: dict[str, Any], full_url: str | None) -> None:
        rtype, rid = s(resource.get("resourceType")), s(resource.get("id"))
        key: str | None = None  # as text here; the node's key is ("ref", key)
        base: str | None = None
        parsed = None if full_url is None else split(full_url)
        if full_url is not None and is_absolute(full_url):
            if parsed is not None and parsed[0] is not None:
                base, key = parsed[0], f"{parsed[0]}/{parsed[1]}/{parsed[2]}"
                self.meta["ref", key] = (parsed[1], parsed[2])
            else:
                key = full_url  # a URN: names this entry, gives no base for relative ones
                if rtype and rid:
                    self.meta["ref", key] = (rtype, rid)
        else:
            base = ""  # no server known: relative references stay relative
            if parsed is not None:
                key = f"{parsed[1]}/{parsed[2]}"
            elif rtype and rid and _TYPE.match(rtype) and _ID.match(rid):
                key = f"{rtype}/{rid}"
            if key is not None:
                rtype_, rid_ = key.split("/")
                self.meta["ref", key] = (rtype_, rid_)
        n = len(self.resources) + 1
        label = key or (f"{rtype}/{rid}" if rtype and rid else f"{rtype or 'resource'} #{n}")
        scope = f"{label} (entry {n})"
        self._add(resource, Node(None if key is None else ("ref", key), base, None, label, scope))
        by_id = self._contained[id(resource)] = {}
        for i, inner in enumerate(lst(resource.get("contained"))):
            if isinstance(inner, dict):
                if (found := s(inner.get("id"))) is not None:
                    by_id.setdefault(found, []).append(inner)
                inner_id = s(inner.get("id")) or "?"
                inner_label = f"{label} contained #{inner_id}"
                inner_scope = f"{scope} contained {i + 1}"
                self._add(inner, Node(None, base, resource, inner_label, inner_scope))

    def _add(self, resource: dict[str, Any], node: Node) -> None:
        self.nodes[id(resource)] = node
        self.resources.append(resource)
        if node.key is not None:
            self.by_key.setdefault(node.key, []).append(resource)

    def node(self, resource: dict[str, Any]) -> Node:
        return self.nodes[id(resource)]

    def label(self, resource: dict[str, Any]) -> str:
        return self.nodes[id(resource)].label

    def key_of(self, ref: str, holder: dict[str, Any]) -> Key:
        """The key of what ``ref``, written in ``holder``, names (whether or not the source
        holds it)."""
        node = self.node(holder)
        if ref.startswith("#"):
            outer = node.container if node.container is not None else holder
            return ("contained", self.node(outer).scope, ref[1:])
        memo = (ref, node.base)
        key = self._keys.get(memo)
        if key is None:
            key = self._keys[memo] = self._key_of(ref, node.base)
        return key

    def resolve(self, ref: str, holder: dict[str, Any]) -> list[dict[str, Any]]:
        """The resources ``ref`` names (more than one: versions of one resource)."""
        if ref.startswith("#"):
            node = self.node(holder)
            outer = node.container if node.container is not None else holder
            return self._contained.get(id(outer), {}).get(ref[1:], [])
        return self.by_key.get(self.key_of(ref, holder), [])

    def subject_of(self, resource: dict[str, Any]) -> Key | None:
        """Who ``resource`` is about, as a key that two resources share only when FHIR says they
        name the same one; None when it names no one."""
        known = self._subjects.get(id(resource), self)
        if known is self:
            known = self._subjects[id(resource)] = self._subject_of(resource)
        return known  # type: ignore[return-value]

    def _subject_of(self, resource: dict[str, Any]) -> Key | None:
        subject = d(resource.get("subject"))
        ref = s(subject.get("reference"))
        if ref is not None:
            key = self.key_of(ref, resource)
            self._written.setdefault(key, (ref, resource))
            if key not in self.meta and not ref.startswith("#"):
                parsed = split(ref)
                targets = self.by_key.get(key, [])
                if parsed is not None:
                    self.meta[key] = (parsed[1], parsed[2])
                elif targets:
                    t, i = s(targets[0].get("resourceType")), s(targets[0].get("id"))
                    if t and i:
                        self.meta[key] = (t, i)
            return key
        identifier = d(subject.get("identifier"))
        value, system = s(identifier.get("value")), s(identifier.get("system"))
        if value is not None and system is not None:
            return ("ident", system, value)
        text = s(subject.get("display")) or value
        if text is None:
            return None
        return ("text", self.node(resource).scope, text)


class _Reader(fhir._Reader):
    """The reader before issue 12, where it differs from today's (the methods it does not
    define are unchanged since)."""

    def __init__(self, doc: dict[str, Any], name: str, k: Knowledge) -> None:
        self.k = k
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
        stack: list[tuple[dict[str, Any], str | None, int]] = [(doc, None, 0)]
        while stack:
            resource, full_url, depth = stack.pop()
            if depth < 0:  # a deletion in a history Bundle: `resource` is its entry
                request = d(resource.get("request"))
                url = full_url or s(request.get("url"))
                if url is not None:
                    self.deleted.append((url, len(self.index.resources)))
                continue
            if resource.get("resourceType") != "Bundle":
                self.index.add_entry(resource, full_url)
                continue
            if depth >= _MAX_NESTING:
                raise FhirError(f"{name} is nested too deeply to read (Bundles in Bundles)")
            entries = [d(entry) for entry in lst(resource.get("entry"))]
            history = resource.get("type") == "history"
            for entry in reversed(entries):  # popped in the source's order
                inner = entry.get("resource")
                if isinstance(inner, dict):
                    stack.append((inner, s(entry.get("fullUrl")), depth + 1))
                elif history and _is_deletion(entry):
                    stack.append((entry, s(entry.get("fullUrl")), -1))

    def read(self, patient: str | None) -> FhirLabs:
        contexts = self._contexts()
        plans: list[tuple[dict[str, Any], set[Key], str | None, str | None]] = []
        for resource in self.index.resources:
            container = self.index.node(resource).container
            if container is not None and id(container) in self.retired:
                continue  # contained in a retracted version
            if resource.get("resourceType") == "Observation" and id(resource) not in self.retired:
                plan = self._plan(resource, contexts.get(id(resource), []))
                self.subjects |= plan[0]
                plans.append((resource, *plan))
        subject = self._choose_subject(patient)
        # Only what is about the chosen subject, or about no one, is read and reported: other
        # people's results (and why theirs were skipped) are not this person's business.
        for holder_subject, skip in self.unresolved:
            if holder_subject in (subject, None):
                self.skipped.append(skip)
        for obs, subjects, when, ambiguous in plans:
            label = self.index.node(obs).label
            if ambiguous is not None:
                if subject is None or subject in subjects or not subjects:
                    self._skip(label, _code_text(obs), "ambiguous-context", ambiguous)
            elif subjects == {subject} or not subjects:
                if not subjects and subject is not None:
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
        current = [r for r in self.index.resources if id(r) not in self.retired]
        dates = [w for w in (parse_when(r.when) for r in results) if w is not None]
        held = self.index.named(subject) if subject is not None else None
        person = held if held is not None and held.get("resourceType") == "Patient" else None
        context, context_notes = read_context(
            self.index, subject, person, current, max(dates, default=None)
        )
        notes += context_notes
        medicines = read_medicines(self.index, subject, current)
        return FhirLabs(
            tuple(results),
            tuple(self.skipped),
            None if subject is None else shown(subject),
            tuple(notes),
            context,
            medicines,
        )

    def _plan(
        self, obs: dict[str, Any], inherited: list[tuple[str | None, Key | None]]
    ) -> tuple[set[Key], str | None, str | None]:
        """Whom an Observation is about, when it was taken, and why that is ambiguous (None:
        it is not), from the Observation and the reports and panels listing it."""
        own = self.index.subject_of(obs)
        subjects = {own} if own is not None else set()
        subjects |= {subject for _, subject in inherited if subject is not None}
        own_when = effective(obs)
        whens = {when for when, _ in inherited if when is not None}
        if len(subjects) > 1 or (own_when is None and len(whens) > 1):
            about = named(list(subjects)) if len(subjects) > 1 else sorted(whens)
            return (
                subjects,
                None,
                "the reports or panels listing it disagree on whom or when it is about "
                f"({', '.join(about)}); it is attributed to no one",
            )
        return subjects, own_when or next(iter(whens), None), None

    def _contexts(self) -> dict[int, list[tuple[str | None, Key | None]]]:
        """The dates and subjects each Observation inherits from the reports and panels that
        list it (an Observation listed by two that disagree is ambiguous, not first-come)."""
        contexts: dict[int, list[tuple[str | None, Key | None]]] = {}
        index = self.index
        work: list[tuple[dict[str, Any], list[Any], tuple[str | None, Key | None]]] = []
        for resource in index.resources:
            if id(resource) in self.retired:
                continue
            rtype = resource.get("resourceType")
            if rtype == "DiagnosticReport":
                work.append((resource, lst(resource.get("result")), (None, None)))
            elif rtype == "Observation" and (members := _members(resource)):
                work.append((resource, members, (None, None)))
        while work:
            holder, refs, inherited = work.pop()
            ctx = (
                effective(holder) or inherited[0],
                index.subject_of(holder) or inherited[1],
            )
            if ctx[1] is not None:
                self.subjects.add(ctx[1])  # a report about someone holds their results
            label = index.node(holder).label
            for ref_obj in refs:
                ref = s(d(ref_obj).get("reference"))
                targets = [] if ref is None else index.resolve(ref, holder)
                if not targets:
                    skip = Skipped(
                        ref or label,
                        None,
                        "unresolved-reference",
                        f"{label} refers to {_show(ref)}, which the source does not hold",
                    )
                    self.unresolved.append((ctx[1], skip))
                    continue
                for target in targets:
                    held = contexts.setdefault(id(target), [])
                    if held and not _adds(held, ctx):
                        continue
                    held.append(ctx)
                    if target.get("resourceType") == "Observation" and (
                        members := _members(target)
                    ):
                        work.append((target, members, ctx))
        return contexts

    def _observation(
        self, obs: dict[str, Any], label: str, subject: Key | None, when: str | None
    ) -> None:
        code_text = _code_text(obs)
        status = s(obs.get("status"))  # a status of another JSON type is no status
        if status not in JUDGED and status != "unknown":
            shown = _show(obs.get("status"))
            self._skip(label, code_text, "status-not-final", f"status is {shown}, not final")
            return
        focus = self._other_focus(obs, subject)
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
        if _has_value(obs) or not lst(obs.get("component")):
            parts.append((obs, label))
        for i, component in enumerate(lst(obs.get("component"))):
            if isinstance(component, dict):
                parts.append((component, f"{label} component {i + 1}"))
        judged_any = False
        for part, part_label in parts:
            analyte = self._analyte(part)
            if analyte is None:
                if part is obs and _members(obs) and not _has_value(obs):
                    continue  # a panel: its members are read on their own
                self._skip(
                    part_label,
                    _code_text(part),
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

    def _choose_subject(self, patient: str | None) -> Key | None:
        subjects = named(list(self.subjects))
        if patient is not None:
            matches = self.index.match(patient, self.subjects)
            if len(matches) > 1:
                raise FhirError(
                    f"{_show(patient)} matches {len(matches)} subjects "
                    f"({listed(named(matches))}), "
                    "who may be different people; pass the one meant in full"
                )
            if not matches:
                found = listed(subjects) or "none"
                raise FhirError(
                    f"no results for {_show(patient)} in the source; subjects found: {found}"
                )
            return matches[0]
        if len(subjects) > 1:
            raise FhirError(
                f"the source holds results for {len(subjects)} subjects ({listed(subjects)}); "
                "pass patient='Patient/...' to choose one, so that one person's labs are never "
                "mixed with another's"
            )
        return next(iter(self.subjects), None)


def _has_value(part: dict[str, Any]) -> bool:
    return any(key.startswith("value") for key in part)


def _code_text(part: dict[str, Any]) -> str | None:
    code = d(part.get("code"))
    for coding in lst(code.get("coding")):
        c = s(d(coding).get("code"))
        if c:
            return c
    return s(code.get("text"))
