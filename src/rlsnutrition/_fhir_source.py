"""Turning what ``fhir.read`` is given into parsed JSON, safely: only regular files, up to a
size limit, strict UTF-8, and no JSON object with a key twice."""

from __future__ import annotations

import gc
import json
import os
import stat
from collections.abc import Mapping
from itertools import chain
from typing import Any

from ._json import DuplicateKey, unique_keys
from .errors import RLSNutritionError

MAX_BYTES = 64 * 1024 * 1024
"""The largest FHIR file ``fhir.read`` reads unless told otherwise (``max_bytes=``): 64 MiB,
several times a whole synthetic patient history, far below what would exhaust memory."""

_BOM_AND_SPACE = "\ufeff \t\r\n"


class FhirError(RLSNutritionError, ValueError):
    """A FHIR source cannot be read safely as a whole: not a regular file, too large, not UTF-8
    JSON, a key twice in one object, not a FHIR Observation, Bundle or DiagnosticReport,
    results for several subjects without ``patient=``, or a subject that is not there.
    """


def parse_json(text: str, name: str) -> Any:
    """JSON text as Python objects; a key given twice in one object is refused, not last-wins
    (two values for one field cannot be told apart)."""
    try:
        return json.loads(text, object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        shown = exc.key if len(exc.key) <= 40 else exc.key[:40] + "..."
        raise FhirError(
            f"{name} has the key {shown!r} twice in one object; FHIR JSON gives each key once"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise FhirError(f"{name} is not valid JSON: {exc}") from None


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FhirError(
            f"{name} is not UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 1]!r}); "
            "FHIR JSON is UTF-8"
        ) from None


def read_file(path: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``. FIFOs, devices, directories and
    sockets are refused without reading (or waiting on) them."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FhirError(f"cannot read FHIR file {path!r}: {reason}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FhirError(
                f"cannot read FHIR file {path!r}: not a regular file (a FIFO, device, socket or "
                "directory is never read)"
            )
        if info.st_size > max_bytes:
            raise FhirError(_too_large(path, max_bytes))
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise FhirError(f"cannot read FHIR file {path!r}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew while it was read
        raise FhirError(_too_large(path, max_bytes))
    return data


def _too_large(path: str, max_bytes: int) -> str:
    return (
        f"FHIR file {path!r} is larger than {max_bytes} bytes; pass max_bytes= to read larger files"
    )


def _larger_than(doc: Any, limit: int) -> bool:
    """Whether parsed JSON would take more than ``limit`` bytes as JSON text (estimated from
    its strings, numbers and containers; each container counted once, so a cycle ends)."""
    size = 0
    seen: set[int] = set()
    stack = [doc]
    while stack:
        item = stack.pop()
        kind = type(item)  # JSON's own types told by type(), without the ABC checks
        if kind is int or kind is float or kind is bool or item is None:
            size += 8
        elif isinstance(item, str):
            size += len(item) + 3
        elif kind is dict or kind is list or isinstance(item, (Mapping, list, tuple)):
            if id(item) in seen:
                continue
            seen.add(id(item))
            size += 2
            if kind is dict or (kind is not list and isinstance(item, Mapping)):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            size += 8  # a number, true, false or null
        if size > limit:
            return True
    return False


_JSON_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})
_is_dict, _is_list = dict.__instancecheck__, list.__instancecheck__
_is_tuple, _is_str = tuple.__instancecheck__, str.__instancecheck__
_FAST_LEVELS = 128  # deeper than any FHIR source; a deeper one is measured by `_larger_than`
# Items the fast count reads in all before it leaves the source to `_larger_than` (which
# takes about five times as long, linearly): some 45 MB of FHIR JSON at about 45 bytes an
# item, more than real sources hold; a container shared many times over (counted here at
# each place, by the walk once) reaches it long before its copies take seconds or gigabytes.
_FAST_ITEMS = 1 << 20


def _surely_within(doc: Any, limit: int) -> bool:
    """Whether parsed JSON takes at most ``limit`` bytes as `_larger_than` estimates them, told
    at C speed, level by level, for the common case; False when it cannot tell (then
    `_larger_than` decides, exactly as before).

    Each level's containers are read in one `gc.get_referents` call, which gives a list's or
    tuple's items and a dict's values. It gives a dict's keys too unless they are all exact
    ``str`` (CPython's dicts keep such keys apart, and the collector need not visit them), so
    the count, checked against the containers' lengths, differs and this gives up unless
    every key is an exact ``str``; a Python whose collector reports referents otherwise gives
    up too, never miscounts. Only JSON's own exact types are counted (anything else: give
    up). A container met twice (shared, or a cycle) is counted each time here but
    once by `_larger_than`, so this total is never below that estimate: at most ``limit`` here
    is at most ``limit`` there. Work stops once the total, or the next level's item count,
    passes ``limit``, and gives up once it has read `_FAST_ITEMS` items (a container shared
    many times over would otherwise be read at each of its places)."""
    if type(doc) is not dict:
        return False
    size = 0
    dicts: list[dict[Any, Any]] = [doc]
    seqs: list[Any] = []  # lists and tuples
    budget = _FAST_ITEMS
    for _ in range(_FAST_LEVELS):
        if not dicts and not seqs:
            return True
        keys = sum(map(len, dicts))
        n = keys + sum(map(len, seqs))  # the dicts' values, the lists' and tuples' items
        size += 2 * (len(dicts) + len(seqs))
        budget -= n
        if size + 2 * (n + keys) > limit or budget < 0:  # every item adds at least 2
            return False
        items = gc.get_referents(*dicts, *seqs)
        if len(items) != n:
            return False
        try:  # the keys: all exact str here (see above), a TypeError if not str at all
            size += len("".join(chain.from_iterable(dicts))) + 3 * keys
        except TypeError:
            return False
        kinds = set(map(type, items))
        if not kinds <= _JSON_TYPES:
            return False
        # exact types only (checked just above), so each filter takes exactly its type
        texts = list(filter(_is_str, items)) if str in kinds else []
        dicts = list(filter(_is_dict, items)) if dict in kinds else []
        seqs = list(filter(_is_list, items)) if list in kinds else []
        if tuple in kinds:
            seqs += filter(_is_tuple, items)
        scalars = len(items) - len(texts) - len(dicts) - len(seqs)
        size += len("".join(texts)) + 3 * len(texts) + 8 * scalars
        if size > limit:
            return False
    return False


def _refuse_larger(larger: bool, max_bytes: int, name: str) -> None:
    if larger:
        raise FhirError(
            f"{name} is larger than {max_bytes} bytes; pass max_bytes= to read a larger one"
        )


def load(source: object, max_bytes: int) -> tuple[Any, str]:
    """The parsed JSON of a dict, JSON text (str or UTF-8 bytes) or a path, and a name for it.
    Text, bytes and dicts are held to ``max_bytes`` as files are (a dict by the size of its
    JSON text, estimated; text by its length in characters)."""
    if isinstance(source, Mapping):
        if not _surely_within(source, max_bytes):
            _refuse_larger(_larger_than(source, max_bytes), max_bytes, "the FHIR source")
        return dict(source), "the FHIR source"
    if isinstance(source, (bytes, bytearray, memoryview)):
        _refuse_larger(len(source) > max_bytes, max_bytes, "the FHIR bytes")
        return parse_json(_decode(bytes(source), "the FHIR bytes"), "the FHIR bytes"), (
            "the FHIR bytes"
        )
    text = source.lstrip(_BOM_AND_SPACE) if isinstance(source, str) else ""
    if text.startswith(("{", "[")):
        _refuse_larger(len(text) > max_bytes, max_bytes, "the FHIR JSON text")
        return parse_json(text, "the FHIR JSON text"), "the FHIR JSON text"
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        name = f"FHIR file {path}"
        return parse_json(_decode(read_file(path, max_bytes), name), name), name
    raise TypeError(
        "fhir.read() takes a dict, JSON text (str or bytes) or a path to a JSON file, "
        f"not {type(source).__name__}"
    )
