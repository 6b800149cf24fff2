"""What ``assess`` returns: a finding per nutrient, with its status, actions and sources."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from .errors import InvalidArgumentError
from .model import Reference

if TYPE_CHECKING:
    from attrs import AttrsInstance

__all__ = ["DISCLAIMER", "Assessment", "Finding", "JudgedValue", "Note", "Reason", "Status"]

_WIDTH = 100  # str() of an Assessment wraps its lines at this many columns

DISCLAIMER = (
    "rlsnutrition informs; it does not diagnose or prescribe. Lab thresholds come from "
    "published guidelines for adults and may not fit you. Discuss results, and any supplement "
    "(iron especially), with a clinician before acting on them."
)


class Status(str, enum.Enum):
    """How a nutrient's labs were judged. The values are stable: apps key on them."""

    DEFICIENT = "deficient"
    LOW = "low"
    ADEQUATE = "adequate"
    HIGH = "high"
    INDETERMINATE = "indeterminate"
    NOT_TESTED = "not_tested"

    def __str__(self) -> str:
        return self.value


@attrs.frozen
class Note:
    """A coded note: ``code`` is stable for apps to key on, ``text`` is for people.

    Attributes:
        code: a stable code (``"oral-iron-may-help"``); the codes are listed in the docs.
        text: what it means, in a sentence for people.
    """

    code: str
    text: str


@attrs.frozen
class JudgedValue:
    """A lab value as judged: ``value`` in ``unit`` (the analyte's default unit) is what the
    rules compared; ``given_value`` in ``given_unit`` is the number as the caller or the lab
    gave it; ``comparator`` marks a censored result (``"<"`` for "<5"); ``when`` is the date
    the sample was taken, where known.

    Attributes:
        analyte: the analyte id.
        value: the value in ``unit``, as the rules compared it.
        unit: the analyte's default unit.
        comparator: ``"<"``, ``"<="``, ``">"`` or ``">="`` for a censored result, else None.
        given_value: the number as given, in ``given_unit``.
        given_unit: the unit it was given in.
        when: the ISO date or date-time the sample was taken, where known.
    """

    analyte: str
    value: float
    unit: str
    comparator: str | None = None
    given_value: float | None = None
    given_unit: str | None = None
    when: str | None = None

    def __str__(self) -> str:
        return f"{self.analyte} {self.comparator or ''}{self.value:.4g} {self.unit}"


@attrs.frozen
class Reason:
    """One step of a finding's why, as data: ``threshold`` is the id of the cut-off checked
    (None for a reason that is no cut-off), ``analyte`` the lab it read (or None), ``held``
    whether the cut-off holds for the value, ``text`` the sentence the rationale shows, and
    ``note`` the id of the note (in the data's rules) for a reason that is a note.
    An app can render its own words, or another language, from the ids alone.

    Attributes:
        threshold: the id of the threshold checked (see
            [`thresholds()`][rlsnutrition.thresholds]), or None.
        analyte: the analyte id it read, or None.
        held: whether the cut-off holds for the value.
        text: the sentence the rationale shows for this step.
        note: the id of the note, for a reason that is a note, else None.
    """

    threshold: str | None
    analyte: str | None
    held: bool
    text: str
    note: str | None = None  # the id of the note in rules.json, for a reason that is a note


@attrs.frozen(repr=False)
class Finding:
    """The judgement of one nutrient.

    Attributes:
        nutrient: the nutrient id.
        status: how its labs were judged.
        rationale: why, in sentences that quote each value and cut-off with its source.
        actions: what to discuss with a clinician, as coded notes (never a dose).
        references: the sources of the cut-offs the rationale quotes.
        values: the lab values the finding read.
        reasons: the rationale's steps as data.
    """

    nutrient: str
    status: Status
    rationale: str
    actions: tuple[Note, ...] = ()
    references: tuple[Reference, ...] = ()
    values: tuple[JudgedValue, ...] = ()
    reasons: tuple[Reason, ...] = ()

    def __repr__(self) -> str:
        return (
            f"Finding(nutrient={self.nutrient!r}, status={self.status.value!r}, "
            f"actions={list(self.action_codes())!r})"
        )

    def action_codes(self) -> tuple[str, ...]:
        """The codes of this finding's actions, in order."""
        return tuple(a.code for a in self.actions)

    def __str__(self) -> str:
        lines = [f"{self.nutrient}: {self.status.value.upper()} - {self.rationale}"]
        lines += [f"    -> [{a.code}] {a.text}" for a in self.actions]
        return "\n".join(lines)


@attrs.frozen(repr=False)
class Assessment:
    """A per-nutrient judgement of one person's labs. Serialises to JSON and back, equal.

    Attributes:
        findings: one finding per nutrient, in the order of
            [`nutrients()`][rlsnutrition.nutrients].
        missing_tests: analyte ids that would let a finding say more.
        warnings: coded notes about the whole assessment (inflammation, pregnancy, a
            medicine that may worsen RLS, ...).
        disclaimer: that this informs and points to a clinician, and never prescribes.
        knowledge_version: the version of the knowledge it was judged by.
        subject: the FHIR subject the labs were read for, else None.
    """

    findings: tuple[Finding, ...]
    missing_tests: tuple[str, ...] = ()
    warnings: tuple[Note, ...] = ()
    disclaimer: str = DISCLAIMER
    knowledge_version: str = ""
    subject: str | None = None  # the FHIR subject the labs were read for, else None

    def __repr__(self) -> str:
        statuses = ", ".join(f"{f.nutrient}={f.status.value}" for f in self.findings)
        return f"Assessment({statuses}; {len(self.warnings)} warning(s))"

    def finding(self, nutrient: str) -> Finding:
        """The finding for a nutrient: anything [`lookup_nutrient()`][rlsnutrition.lookup_nutrient] takes.

        Raises:
            UnknownNutrientError: ``nutrient`` names no nutrient.
            InvalidArgumentError: this assessment holds no finding for it (one made by
                ``assess`` holds all six; a stored one may have been cut down).
        """
        from .knowledge import lookup_nutrient

        nid = lookup_nutrient(nutrient).id
        for f in self.findings:
            if f.nutrient == nid:
                return f
        held = ", ".join(f.nutrient for f in self.findings) or "none"
        raise InvalidArgumentError(
            f"this assessment holds no finding for {nid!r} (it holds: {held}); one made by "
            "assess() holds all six"
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: only JSON types (no enums, no tuples), with ``"format": 1``.

        [`from_dict()`][rlsnutrition.Assessment.from_dict] turns it back into an equal Assessment, and it validates against
        [`assessment_json_schema()`][rlsnutrition.assessment_json_schema].
        """
        from ._json import to_dict

        return to_dict(self)

    def to_json(self, **kwargs: Any) -> str:
        """[`to_dict()`][rlsnutrition.Assessment.to_dict] as JSON text (keyword arguments go to `json.dumps`).

        Raises:
            ValueError: a value is not finite (only in an Assessment built by hand).
        """
        from ._json import to_json

        return to_json(self, **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        """The Assessment a [`to_dict()`][rlsnutrition.Assessment.to_dict] dict describes.

        Keys it does not know (a newer writer's fields) are ignored; wrong types, values
        outside the vocabularies (a status, a nutrient or analyte id) and numbers that are not
        finite are refused.

        Raises:
            InvalidArgumentError: ``data`` does not describe an Assessment; the message says
                which field (``$.findings[0].status``, say) is wrong.
        """
        from ._json import from_dict

        result: Assessment = from_dict(data)
        return result

    @classmethod
    def from_json(cls, text: str | bytes) -> Assessment:
        """The Assessment a [`to_json()`][rlsnutrition.Assessment.to_json] text describes.

        Raises:
            InvalidArgumentError: ``text`` is not JSON, or does not describe an Assessment.
        """
        from ._json import from_json

        result: Assessment = from_json(text)
        return result

    def __str__(self) -> str:
        import textwrap

        def wrap(text: str, first: str, rest: str) -> list[str]:
            return textwrap.wrap(
                text, _WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
            )

        lines = ["RLS nutrition assessment"]
        width = max(len(f.nutrient) for f in self.findings) if self.findings else 0
        hang = " " * (width + 19)  # under the rationale
        for f in self.findings:
            lines += wrap(f.rationale, f"  {f.nutrient:<{width}}  {f.status.value:<13}  ", hang)
            for a in f.actions:
                lines += wrap(f"{a.text} [{a.code}]", f"{hang}-> ", hang + "   ")
        if self.warnings:
            lines.append("Warnings:")
            for w in self.warnings:
                lines += wrap(f"{w.text} [{w.code}]", "  ! ", "    ")
        if self.missing_tests:
            lines.append("Worth testing next: " + ", ".join(self.missing_tests))
        lines.append(self.disclaimer)  # whole, on one line: apps look for it as it is
        return "\n".join(lines)


_Record = TypeVar("_Record", bound="AttrsInstance")


def _constructor(cls: type[_Record]) -> Callable[..., _Record]:
    """A constructor equal to ``cls(*fields)`` (every field, positionally, in order) for the
    records ``assess`` builds by the hundred thousand. It sets each slot through its
    descriptor, where attrs' ``__init__`` calls ``object.__setattr__`` by name per field.

    Used only while the class's ``__init__`` is attrs' own and does nothing but set its fields
    in order: no validator, converter, keyword-only field, init hook or extra slot (a cached
    hash); every field is passed, so no default is needed. Otherwise the class itself is
    returned, so nothing is ever skipped; a property test compares what each builds.
    """
    fields = attrs.fields(cls)
    names = [f.name for f in fields]
    slots = cls.__dict__.get("__slots__", ())
    init = getattr(cls.__init__, "__code__", None)
    plain = (
        init is not None
        and init.co_filename.startswith("<attrs generated")
        and all(
            f.init and not f.kw_only and f.validator is None and f.converter is None for f in fields
        )
        and not hasattr(cls, "__attrs_pre_init__")
        and not hasattr(cls, "__attrs_post_init__")
        and set(slots) - {"__weakref__"} == set(names)
    )
    if not plain:
        return cls
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls}
    scope.update({f"set_{n}": getattr(cls, n).__set__ for n in names})
    body = "".join(f"    set_{n}(self, {n})\n" for n in names)
    # The names are attrs field names (identifiers); the code is what attrs itself generates,
    # less the name lookups.
    exec(f"def make({', '.join(names)}):\n    self = new(cls)\n{body}    return self\n", scope)
    make: Callable[..., _Record] = scope["make"]
    make.__qualname__ = f"{cls.__qualname__} (fast constructor)"
    return make
