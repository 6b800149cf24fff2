"""Who and what a FHIR source's references name, resolved as the FHIR specification resolves
references in Bundles (https://hl7.org/fhir/R4/bundle.html#references).

- An absolute reference (``http://a.org/fhir/Patient/1``, ``urn:uuid:...``) names the entry
  with that ``fullUrl``.
- A relative reference (``Patient/1``) is read against the server base of the ``fullUrl`` of
  the entry that holds it: ``Patient/1`` in an entry of ``http://a.org/fhir`` is
  ``http://a.org/fhir/Patient/1``, in an entry of ``http://b.org/fhir`` another person. In an
  entry with no server base (no ``fullUrl``, a relative one, or a URN) it stays ``Patient/1``.
- ``#p`` names a resource contained in the same resource, and nothing outside it: two
  containers' ``#p`` are two resources.
- A version (``Patient/1/_history/2``) names the resource itself.

A subject given only by display text, or by an identifier with no system, names no one that
can be told apart from anyone else: each such subject stands alone, never merged.

Keys are tagged tuples, never joined text, so that no two kinds of name can collide (an
identifier ``a`` / ``b|c`` and an identifier ``a|b`` / ``c``, or a reference whose text looks
like a contained resource's name): ``("ref", url)``, ``("ident", system, value)``,
``("contained", scope, id)`` and ``("text", scope, text)``. ``shown`` writes one for people.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import Any, NamedTuple

Key = tuple[str, ...]

_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}\Z")
_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}\Z")


def d(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def lst(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def s(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


_ID_CHARS = string.ascii_letters + string.digits + "-."
_TYPES: dict[str, bool] = {}  # whether a text is a resource type's name, for the few seen


def split(ref: str) -> tuple[str | None, str, str] | None:
    """``(base, type, id)`` of a RESTful reference or URL, without its version: base is None
    for a relative one. None for anything else (a URN, an opaque URL)."""
    head, sep, rid = ref.rpartition("/")
    rest, sep2, rtype = head.rpartition("/")
    if rtype == "_history" and sep2:  # .../Type/id/_history/version
        head, sep, rid = rest.rpartition("/")
        rest, sep2, rtype = head.rpartition("/")
    # an id is 1-64 of [A-Za-z0-9-.] (what _ID matches), told without a regular expression
    if not sep or not rid or len(rid) > 64 or rid.strip(_ID_CHARS):
        return None
    is_type = _TYPES.get(rtype)
    if is_type is None:
        is_type = _TYPE.match(rtype) is not None
        if len(_TYPES) < 1024:
            _TYPES[rtype] = is_type
    if not is_type:
        return None
    if not sep2 or rest in ("", "."):
        return None, rtype, rid
    if "://" in rest:
        return rest, rtype, rid
    return None  # a path that is neither relative Type/id nor an absolute URL


def shown(key: Key) -> str:
    """A key as people read it (the form ``FhirLabs.subject`` and messages use)."""
    kind = key[0]
    if kind == "ident":
        return f"{key[1]}|{key[2]}"
    if kind == "contained":
        return f"{key[1]}#{key[2]}"
    if kind == "text":
        return f"{key[2]!r}, named only by text in {key[1]}"
    if kind == "opaque":
        return f"{key[2]} (on {key[1]})"
    return key[1]


def effective(resource: dict[str, Any]) -> str | None:
    """When a resource's finding holds: effective[x], else when it was issued."""
    period = d(resource.get("effectivePeriod"))
    return (
        s(resource.get("effectiveDateTime"))
        or s(resource.get("effectiveInstant"))
        or s(period.get("end"))
        or s(period.get("start"))
        or s(resource.get("issued"))
    )


def is_absolute(ref: str) -> bool:
    return ref.startswith("urn:") or "://" in ref


_KINDS = {
    "ref": "reference",
    "ident": "identifier",
    "contained": "contained",
    "text": "text",
    "opaque": "reference text",
}


def named(keys: set[Key] | list[Key]) -> list[str]:
    """Keys as people read them, sorted; two that read alike (an identifier ``a`` / ``b|c``
    and an identifier ``a|b`` / ``c``) are told apart by their parts."""
    texts = [shown(k) for k in keys]
    counts = Counter(texts)
    return sorted(
        f"{x} ({_KINDS[k[0]]} {', '.join(map(repr, k[1:]))})" if counts[x] > 1 else x
        for x, k in zip(texts, keys, strict=True)
    )


def names_anywhere(subject: str) -> bool:
    """Whether a subject, as ``FhirLabs.subject`` shows it, names one person whatever the
    source: a full URL of a server's resource, a URN, or an identifier whose system is
    absolute. A relative ``Patient/1`` (no server known), a contained resource or display text
    names someone only within its own source."""
    if any(c.isspace() for c in subject) or "#" in subject:
        return False
    system, bar, _ = subject.partition("|")
    if bar:
        return is_absolute(system)
    if subject.startswith("urn:"):
        return True
    parsed = split(subject)
    return parsed is not None and subject == f"{parsed[0]}/{parsed[1]}/{parsed[2]}"


class Node(NamedTuple):
    """Where one resource sits in the source. Its label and scope (see `Index.label` and
    `Index.scope`) are written only when asked for: most resources never need them."""

    key: Key | None  # how references name it; None when nothing can
    base: str | None  # server base for relative references; None: none
    container: dict[str, Any] | None  # the resource that contains it
    name: str  # an entry's label; a contained resource's id ("?" when it has none)
    n: int  # an entry's number in the source (from 1); a contained resource's, in its container


# A Node built as NamedTuple's own __new__ builds it, without the Python-level call.
_node = tuple.__new__


class Index:
    """Every resource of a source, found by what references name it."""

    def __init__(self) -> None:
        self.nodes: dict[int, Node] = {}
        self.by_key: dict[Key, list[dict[str, Any]]] = {}
        self.resources: list[dict[str, Any]] = []
        self.meta: dict[Key, tuple[str, str]] = {}  # subject key -> (type, id) it names
        self._written: dict[Key, tuple[str, dict[str, Any]]] = {}  # subject key -> a ref to it
        self._subjects: dict[int, Key | None] = {}
        self._keys: dict[tuple[str, str | None], Key] = {}
        self._heads: dict[str, tuple[str, str]] = {}  # a full URL less its id -> base, type
        # the keys of entries whose fullUrl (or type and id) parsed as a Type/id: only these can
        # be what a relative reference names on the fast path of `resolve`
        self._typed: set[Key] = set()
        # each container's contained resources by id, indexed once: "#id" costs one look-up
        self._contained: dict[int, dict[str, list[dict[str, Any]]]] = {}

    def add_entry(self, resource: dict[str, Any], full_url: str | None) -> None:
        rtype, rid = resource.get("resourceType"), resource.get("id")
        if not (isinstance(rtype, str) and rtype):  # s(), inline: this runs once per entry
            rtype = None
        if not (isinstance(rid, str) and rid):
            rid = None
        key: str | None = None  # as text here; the node's key is ("ref", key)
        base: str | None = None
        parsed: tuple[str | None, str, str] | None = None
        if full_url is not None:
            # Entries of one server and type share all but the id ("http://a.org/fhir/
            # Observation/"): once one is parsed, the next needs only its id checked.
            head, _, tail = full_url.rpartition("/")
            known = self._heads.get(head)
            if known is not None and tail and len(tail) <= 64 and not tail.strip(_ID_CHARS):
                parsed = (known[0], known[1], tail)
            else:
                parsed = split(full_url)
                if (
                    parsed is not None
                    and (url_base := parsed[0]) is not None
                    and len(full_url) == len(url_base) + len(parsed[1]) + len(parsed[2]) + 2
                ):
                    self._heads[head] = (url_base, parsed[1])  # no version in it
        typed = True  # whether the key is a parsed Type/id (with its server, if any)
        if full_url is not None and (full_url.startswith("urn:") or "://" in full_url):
            if parsed is not None and parsed[0] is not None:
                base, rtype_, rid_ = parsed[0], parsed[1], parsed[2]
                # the URL itself unless it names a version (".../_history/2")
                same = len(full_url) == len(base) + len(rtype_) + len(rid_) + 2
                key = full_url if same else f"{base}/{rtype_}/{rid_}"
                self.meta["ref", key] = (rtype_, rid_)
            else:
                key = full_url  # a URN: names this entry, gives no base for relative ones
                typed = False  # (or a URL that is not a server's Type/id: raw text)
                if rtype and rid:
                    self.meta["ref", key] = (rtype, rid)
        else:
            base = ""  # no server known: relative references stay relative
            if parsed is not None:
                key = f"{parsed[1]}/{parsed[2]}"
                self.meta["ref", key] = (parsed[1], parsed[2])
            elif rtype and rid and _TYPE.match(rtype) and _ID.match(rid):
                key = f"{rtype}/{rid}"
                self.meta["ref", key] = (rtype, rid)
        resources = self.resources
        n = len(resources) + 1
        label = key or (f"{rtype}/{rid}" if rtype and rid else f"{rtype or 'resource'} #{n}")
        if key is None:
            self.nodes[id(resource)] = _node(Node, (None, base, None, label, n))
        else:
            ref_key = ("ref", key)
            if typed:
                self._typed.add(ref_key)
            self.nodes[id(resource)] = _node(Node, (ref_key, base, None, label, n))
            found = self.by_key.get(ref_key)
            if found is None:
                self.by_key[ref_key] = [resource]
            else:
                found.append(resource)
        resources.append(resource)
        contained = resource.get("contained")
        if not (isinstance(contained, list) and contained):
            return
        by_id: dict[str, list[dict[str, Any]]] = {}
        self._contained[id(resource)] = by_id
        for i, inner in enumerate(contained):
            if isinstance(inner, dict):
                inner_id = s(inner.get("id"))
                if inner_id is not None:
                    by_id.setdefault(inner_id, []).append(inner)
                self.nodes[id(inner)] = _node(Node, (None, base, resource, inner_id or "?", i + 1))
                resources.append(inner)

    def label(self, resource: dict[str, Any]) -> str:
        """How messages name a resource of the source."""
        node = self.nodes[id(resource)]
        if node.container is None:
            return node.name
        return f"{self.label(node.container)} contained #{node.name}"

    def scope(self, resource: dict[str, Any]) -> str:
        """Text unique to this resource object: contained ids and display text live under it."""
        node = self.nodes[id(resource)]
        if node.container is None:
            return f"{node.name} (entry {node.n})"
        return f"{self.scope(node.container)} contained {node.n}"

    def key_of(self, ref: str, holder: dict[str, Any]) -> Key:
        """The key of what ``ref``, written in ``holder``, names (whether or not the source
        holds it)."""
        node = self.nodes[id(holder)]
        if ref.startswith("#"):
            outer = node.container if node.container is not None else holder
            return ("contained", self.scope(outer), ref[1:])
        memo = (ref, node.base)
        key = self._keys.get(memo)
        if key is None:
            key = self._keys[memo] = self._key_of(ref, node.base)
        return key

    @staticmethod
    def _key_of(ref: str, base: str | None) -> Key:
        if is_absolute(ref):
            parsed = split(ref)
            if parsed is not None and parsed[0] is not None:
                return ("ref", f"{parsed[0]}/{parsed[1]}/{parsed[2]}")
            return ("ref", ref)
        parsed = split(ref)
        if parsed is None:
            # Not a RESTful Type/id ("patient/1", "Patient/a b"): text that names something
            # only as its own server does, so two servers' texts are two subjects, never one.
            return ("opaque", base, ref) if base else ("ref", ref)
        relative = f"{parsed[1]}/{parsed[2]}"
        return ("ref", f"{base}/{relative}" if base else relative)

    def resolve(self, ref: str, holder: dict[str, Any]) -> list[dict[str, Any]]:
        """The resources ``ref`` names (more than one: versions of one resource)."""
        node = self.nodes[id(holder)]
        if ref.startswith("#"):
            outer = node.container if node.container is not None else holder
            return self._contained.get(id(outer), {}).get(ref[1:], [])
        return self.by_key.get(self.key_of(ref, holder), [])

    def resolve_each(
        self, refs: list[Any], holder: dict[str, Any]
    ) -> list[tuple[str | None, list[dict[str, Any]]]]:
        """Each reference object of ``refs`` (``{"reference": ...}``) written in ``holder``:
        its reference text (None: none) and the resources it names, as `resolve` finds them
        (a report's results, read by the hundred: a relative Type/id that names an entry is
        found without parsing it)."""
        node = self.nodes[id(holder)]
        base, by_key, typed = node.base, self.by_key, self._typed
        out: list[tuple[str | None, list[dict[str, Any]]]] = []
        for ref_obj in refs:
            ref = ref_obj.get("reference") if isinstance(ref_obj, dict) else None
            if not (isinstance(ref, str) and ref):
                out.append((None, []))
                continue
            if ref.count("/") == 1 and not ref.startswith(("#", "urn:")) and "://" not in ref:
                # A key made of the base and a ref with one slash that is among the keys
                # parsed as a Type and an id when the index was built is the key ``key_of``
                # gives (a raw-text key, a fullUrl ".../patient/1" no Type/id names, is not).
                key = ("ref", f"{base}/{ref}" if base else ref)
                if key in typed:
                    out.append((ref, by_key[key]))
                    continue
            out.append((ref, self.resolve(ref, holder)))
        return out

    def subject_of(self, resource: dict[str, Any]) -> Key | None:
        """Who ``resource`` is about, as a key that two resources share only when FHIR says they
        name the same one; None when it names no one."""
        subjects = self._subjects
        rid = id(resource)
        if rid in subjects:
            return subjects[rid]
        subject = resource.get("subject")
        if not isinstance(subject, dict):
            subjects[rid] = None
            return None
        ref = subject.get("reference")
        if isinstance(ref, str) and ref and not ref.startswith("#"):
            # a reference this source has already written with this base: what it names, and
            # what `_subject_of` records of it, are known
            key = self._keys.get((ref, self.nodes[rid].base))
            if key is not None and key in self._written and key in self.meta:
                subjects[rid] = key
                return key
        key = subjects[rid] = self._subject_of(resource, subject)
        return key

    def _subject_of(self, resource: dict[str, Any], subject: dict[str, Any]) -> Key | None:
        ref = subject.get("reference")
        if isinstance(ref, str) and ref:
            key = self.key_of(ref, resource)
            if key not in self._written:
                self._written[key] = (ref, resource)
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
        return ("text", self.scope(resource), text)

    def named(self, subject: Key) -> dict[str, Any] | None:
        """The resource a subject key names, when the source holds exactly one."""
        written = self._written.get(subject)
        targets = [] if written is None else self.resolve(*written)
        return targets[0] if len(targets) == 1 else None

    def match(self, patient: str, subjects: set[Key]) -> list[Key]:
        """The subjects ``patient`` (a reference, or ``system|value``) names exactly: an
        absolute reference itself; ``Patient/1`` the subjects that are Patient 1 on whichever
        server; ``a|b|c`` each identifier it can be read as. Never a subject whose text merely
        ends in it."""
        parsed = split(patient)
        if parsed is not None and parsed[0] is None:
            # every subject that is this Type/id, with a server or without: the relative one
            # is not preferred, since it may be either server's (or another's)
            return sorted(k for k in subjects if self.meta.get(k) == (parsed[1], parsed[2]))
        texts = [k for k in subjects if k[0] == "opaque" and k[2] == patient]
        if texts:  # reference text that is no Type/id, on each server that wrote it
            return sorted(texts + ([("ref", patient)] if ("ref", patient) in subjects else []))
        if ("ref", patient) in subjects:
            return [("ref", patient)]
        if parsed is not None:
            wanted = ("ref", f"{parsed[0]}/{parsed[1]}/{parsed[2]}")
            return [wanted] if wanted in subjects else []
        return sorted(k for k in subjects if k[0] == "ident" and shown(k) == patient)
