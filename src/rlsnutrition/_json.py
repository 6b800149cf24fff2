"""An Assessment as JSON and back (format 1), and the JSON Schema of that form.

One walk over the records' typed fields builds all three: the writer (only JSON types: no
enums, no tuples), the strict reader (wrong types and values outside the vocabularies are
refused with the field's path; keys it does not know are ignored, so a newer writer's output
still reads), and the schema. A field added to a record is in all three at once.

Format 1 is the major version of the form: fields may be added under it, never renamed or
removed, and a reader refuses a format it does not know. Output of version 0.1, which wrote no
``format``, reads as format 1.
"""

from __future__ import annotations

import enum
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, Union

import attrs

from ._knowledge import Knowledge, knowledge
from ._rules import BuiltOnce
from .errors import InvalidArgumentError, show
from .model import COMPARATORS, NUTRIENT_IDS

__all__ = ["FORMAT", "assessment_json_schema", "from_dict", "from_json", "to_dict", "to_json"]

FORMAT = 1
"""The major version of the JSON form that `to_dict()` writes and `from_dict()` reads."""

SCHEMA_ID = "https://rlsnutrition.invalid/schema/assessment/1"

_NoneType = type(None)


class _Invalid(Exception):
    """Raised inside the reader; becomes InvalidArgumentError naming the field path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message


Dump = Callable[[Any], Any]
Load = Callable[[Any, str], Any]


@attrs.frozen
class _Codec:
    dump: Dump
    load: Load
    schema: dict[str, Any]


def _vocabularies(k: Knowledge) -> dict[tuple[str, str], tuple[str, ...]]:
    """Closed vocabularies of plain ``str`` fields: (class name, field name) -> values.

    Literal and enum fields carry their vocabulary in their type; these are the ids the data
    defines. Codes (``Note.code``) are open: more may be added.
    """
    analyte_ids = tuple(a.id for a in k.analytes)
    return {
        ("Finding", "nutrient"): tuple(NUTRIENT_IDS),
        ("JudgedValue", "analyte"): analyte_ids,
        ("JudgedValue", "comparator"): COMPARATORS,
        ("Reason", "analyte"): analyte_ids,
        ("Assessment", "missing_tests"): analyte_ids,
    }


_NONEMPTY = {("Assessment", "disclaimer")}  # always present, never empty (DESIGN)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def _identity(value: Any) -> Any:
    return value


def _load_str(value: Any, path: str) -> str:
    if type(value) is not str:
        raise _Invalid(path, f"expected a string, got {_json_type(value)}")
    return value


def _load_bool(value: Any, path: str) -> bool:
    if type(value) is not bool:
        raise _Invalid(path, f"expected true or false, got {_json_type(value)}")
    return value


def _load_int(value: Any, path: str) -> int:
    if type(value) is float and value.is_integer():  # 2024.0 is 2024 in JSON (and its schema)
        return int(value)
    if type(value) is not int:
        raise _Invalid(path, f"expected a whole number, got {_json_type(value)} {show(value)}")
    return value


def _load_float(value: Any, path: str) -> float:
    if type(value) not in (int, float):  # bool is not a number here, nor "45" or "nan"
        raise _Invalid(path, f"expected a number, got {_json_type(value)} {show(value)}")
    try:
        number = float(value)
    except OverflowError:  # json reads integers of any size; no float holds 10**400
        raise _Invalid(path, f"expected a finite number, got {show(value)}") from None
    if not math.isfinite(number):
        raise _Invalid(path, f"expected a finite number, got {show(value)}")
    return number


_SCALARS: dict[type, _Codec] = {
    str: _Codec(_identity, _load_str, {"type": "string"}),
    bool: _Codec(_identity, _load_bool, {"type": "boolean"}),
    int: _Codec(_identity, _load_int, {"type": "integer"}),
    float: _Codec(_identity, _load_float, {"type": "number"}),
}


def _choice(values: tuple[Any, ...], base: _Codec, convert: Callable[[Any], Any]) -> _Codec:
    """A codec that accepts only ``values`` (read by ``base``, then ``convert``-ed)."""
    allowed = frozenset(values)
    accepted = ", ".join(map(repr, values))

    def load(value: Any, path: str) -> Any:
        read = base.load(value, path)
        if read not in allowed:
            raise _Invalid(path, f"{show(read)} is not one of {accepted}")
        return convert(read)

    return _Codec(base.dump, load, {**base.schema, "enum": list(values)})


class _Builder:
    """Builds codecs for the record classes, each once, and their schema ``$defs``."""

    def __init__(self, k: Knowledge) -> None:
        self.vocabularies = _vocabularies(k)
        self.defs: dict[str, dict[str, Any]] = {}
        self.records: dict[type, _Codec] = {}

    def codec(self, tp: Any, owner: str = "", name: str = "") -> _Codec:
        origin = typing.get_origin(tp)
        if origin in (Union, types.UnionType):
            return self._optional(tp, owner, name)
        if origin is tuple:
            item, *rest = typing.get_args(tp)
            if rest != [Ellipsis]:
                raise TypeError(f"the JSON form has no rule for {tp}: only tuple[X, ...]")
            return self._array(self.codec(item, owner, name))
        if origin is Literal:
            values = typing.get_args(tp)
            return _choice(values, _SCALARS[type(values[0])], _identity)
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            values = tuple(m.value for m in tp)
            base = _SCALARS[type(values[0])]
            plain = _Codec(_enum_value, base.load, base.schema)
            return _choice(values, plain, tp)
        if attrs.has(tp):
            return self._record(tp)
        codec = _SCALARS.get(tp)
        if codec is None:
            raise TypeError(f"the JSON form has no rule for {tp} ({owner}.{name})")
        if (owner, name) in self.vocabularies:
            codec = _choice(self.vocabularies[owner, name], codec, _identity)
        if (owner, name) in _NONEMPTY:
            codec = _nonempty(codec)
        return codec

    def _optional(self, tp: Any, owner: str, name: str) -> _Codec:
        args = [a for a in typing.get_args(tp) if a is not _NoneType]
        if len(args) != 1 or len(typing.get_args(tp)) != 2:
            raise TypeError(f"the JSON form has no rule for {tp}: only X | None")
        inner = self.codec(args[0], owner, name)

        def dump(value: Any) -> Any:
            return None if value is None else inner.dump(value)

        def load(value: Any, path: str) -> Any:
            return None if value is None else inner.load(value, path)

        return _Codec(dump, load, {"anyOf": [inner.schema, {"type": "null"}]})

    def _array(self, item: _Codec) -> _Codec:
        dump_item, load_item = item.dump, item.load

        def dump(value: Any) -> Any:
            return [dump_item(v) for v in value]

        def load(value: Any, path: str) -> Any:
            if type(value) is not list:
                raise _Invalid(path, f"expected an array, got {_json_type(value)}")
            return tuple(load_item(v, f"{path}[{i}]") for i, v in enumerate(value))

        return _Codec(dump, load, {"type": "array", "items": item.schema})

    def _record(self, cls: type) -> _Codec:
        found = self.records.get(cls)
        if found is not None:
            return found
        hints = typing.get_type_hints(cls)
        fields = attrs.fields(cls)
        codecs = {f.name: self.codec(hints[f.name], cls.__name__, f.name) for f in fields}
        required = {f.name for f in fields if f.default is attrs.NOTHING}
        dumps = tuple(codecs.items())

        def dump(value: Any) -> Any:
            return {name: c.dump(getattr(value, name)) for name, c in dumps}

        def load(value: Any, path: str) -> Any:
            if type(value) is not dict:
                raise _Invalid(path, f"expected an object, got {_json_type(value)}")
            missing = required - value.keys()
            if missing:
                raise _Invalid(path, f"lacks {', '.join(sorted(missing))}")
            kwargs = {
                name: c.load(value[name], f"{path}.{name}")
                for name, c in dumps
                if name in value  # keys it does not know are a newer writer's: ignored
            }
            try:
                return cls(**kwargs)
            except (TypeError, ValueError) as exc:  # a record's own validator refused it
                raise _Invalid(path, str(exc)) from None

        doc = (cls.__doc__ or cls.__name__).strip().splitlines()[0]
        self.defs[cls.__name__] = {
            "type": "object",
            "description": doc,
            "properties": {name: c.schema for name, c in dumps},
            "required": [f.name for f in fields],  # what the writer always writes
        }
        codec = _Codec(dump, load, {"$ref": f"#/$defs/{cls.__name__}"})
        self.records[cls] = codec
        return codec


def _enum_value(member: Any) -> Any:
    return member.value


def _nonempty(codec: _Codec) -> _Codec:
    def load(value: Any, path: str) -> Any:
        read = codec.load(value, path)
        if not read.strip():
            raise _Invalid(path, "must not be empty")
        return read

    return _Codec(codec.dump, load, {**codec.schema, "pattern": "\\S"})


@attrs.frozen
class _Form:
    dump: Dump
    load: Load
    schema: dict[str, Any]


def _build_form(k: Knowledge) -> _Form:
    from .assessment import Assessment

    builder = _Builder(k)
    codec = builder.codec(Assessment)
    root = builder.defs.pop("Assessment")
    root["properties"] = {"format": {"const": FORMAT}, **root["properties"]}
    root["required"] = ["format", *root["required"]]
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"rlsnutrition Assessment, JSON form {FORMAT}",
        **root,
        "$defs": dict(sorted(builder.defs.items())),
    }
    return _Form(codec.dump, codec.load, schema)


_form_for = BuiltOnce(_build_form)  # the vocabularies come from the loaded knowledge


def _assessment_form() -> _Form:
    return _form_for(knowledge())


def to_dict(assessment: Any) -> dict[str, Any]:
    """The JSON form of an Assessment: only dict, list, str, int, float, bool and None."""
    data: dict[str, Any] = {"format": FORMAT}
    data.update(_assessment_form().dump(assessment))
    return data


def to_json(assessment: Any, **kwargs: Any) -> str:
    """`to_dict()` as JSON text; never writes ``NaN`` or ``Infinity``."""
    kwargs.setdefault("ensure_ascii", False)
    return json.dumps(to_dict(assessment), allow_nan=False, **kwargs)


def from_dict(data: object) -> Any:
    """The Assessment a `to_dict()` dict describes, refusing anything else."""
    if not isinstance(data, Mapping):
        raise InvalidArgumentError(
            f"not a stored Assessment: expected a dict, not {type(data).__name__}"
        )
    data = dict(data)
    fmt = data.pop("format", FORMAT)
    if type(fmt) is not int or fmt != FORMAT:
        raise InvalidArgumentError(
            f"not a stored Assessment: $.format is {show(fmt)}; this version of rlsnutrition "
            f"reads format {FORMAT}"
        )
    try:
        assessment = _assessment_form().load(data, "$")
        seen: set[str] = set()
        for i, finding in enumerate(assessment.findings):
            if finding.nutrient in seen:
                raise _Invalid(f"$.findings[{i}].nutrient", f"{finding.nutrient!r} is judged twice")
            seen.add(finding.nutrient)
        _check_meaning(assessment)
        return assessment
    except _Invalid as exc:
        raise InvalidArgumentError(f"not a stored Assessment: {exc.path}: {exc.message}") from None
    except RecursionError:
        raise InvalidArgumentError("not a stored Assessment: nested too deeply") from None


def _check_meaning(assessment: Any) -> None:
    """What the types allow but ``assess`` never writes: findings missing, added or out of
    order, negative values, dates that are not dates, a reference's year that is not a year."""
    from .knowledge import nutrients
    from .labs import parse_when

    order = [n.id for n in nutrients()]
    got = [f.nutrient for f in assessment.findings]
    if got != order:
        raise _Invalid(
            "$.findings",
            f"expected one finding per nutrient, in the order {', '.join(order)}; "
            f"got {', '.join(got) or 'none'}",
        )
    for i, finding in enumerate(assessment.findings):
        for j, v in enumerate(finding.values):
            at = f"$.findings[{i}].values[{j}]"
            for name in ("value", "given_value"):
                number = getattr(v, name)
                if number is not None and number < 0:
                    raise _Invalid(f"{at}.{name}", f"expected a number >= 0, got {show(number)}")
            if v.when is not None and parse_when(v.when) is None:
                raise _Invalid(f"{at}.when", f"{show(v.when)} is not an ISO 8601 date or time")
        for j, ref in enumerate(finding.references):
            if not 1000 <= ref.year <= 9999:
                raise _Invalid(
                    f"$.findings[{i}].references[{j}].year",
                    f"expected a year of four digits, got {show(ref.year)}",
                )


class DuplicateKey(ValueError):
    """A JSON object gives one key twice: last-wins would silently pick one of two values."""

    def __init__(self, key: str) -> None:
        super().__init__(f"the key {show(key)} is given twice in one object")
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A ``json.loads`` ``object_pairs_hook`` that refuses a key given twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def from_json(text: object) -> Any:
    """The Assessment a `to_json()` text describes."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise InvalidArgumentError(
            f"not a stored Assessment: expected JSON text, not {type(text).__name__}"
        )
    try:
        data = json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=unique_keys)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"not a stored Assessment: not JSON text ({exc})") from None
    return from_dict(data)


def assessment_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of [`to_dict()`][rlsnutrition.Assessment.to_dict] output, format 1.

    Every ``to_dict()`` output validates against it; an app can publish it (in OpenAPI, say)
    so that its clients know the form. Objects may hold keys the schema does not list: later
    versions add fields under the same format.

    Examples:
        >>> import rlsnutrition as rn
        >>> schema = rn.assessment_json_schema()
        >>> schema["$schema"]
        'https://json-schema.org/draft/2020-12/schema'
        >>> schema["properties"]["format"]
        {'const': 1}
    """
    schema: dict[str, Any] = json.loads(json.dumps(_assessment_form().schema))
    return schema  # a fresh copy, to change freely
