"""Looking up what the library knows: nutrients, their food sources, and RLS factors."""

from __future__ import annotations

import difflib

from ._knowledge import knowledge
from ._normalize import normalize_name
from .errors import InvalidArgumentError, UnknownNutrientError, show
from .model import DIETS, FoodSource, KnowledgeInfo, Nutrient, RLSFactor

__all__ = ["foods_rich_in", "knowledge_info", "lookup_nutrient", "nutrients", "rls_factors"]


def nutrients() -> tuple[Nutrient, ...]:
    """The six RLS-linked nutrients, in a fixed order.

    Examples:
        >>> [n.id for n in nutrients()]
        ['iron', 'magnesium', 'vitamin_b12', 'vitamin_b6', 'vitamin_d', 'folate']
    """
    return knowledge().nutrients


def lookup_nutrient(name: str) -> Nutrient:
    """The nutrient with this id, name, alias or chemical form.

    Case, spaces, hyphens, underscores and dots are ignored, so ``"B-12"``, ``"b12"`` and
    ``"Vitamin_B12"`` all find vitamin B12.

    Examples:
        >>> lookup_nutrient("B-12").id
        'vitamin_b12'
        >>> lookup_nutrient("cholecalciferol").name
        'Vitamin D'

    Raises:
        UnknownNutrientError: nothing matches; ``.suggestions`` holds the closest names.
        TypeError: ``name`` is not a string.
    """
    index = knowledge().nutrient_index
    try:
        return index[name]
    except KeyError:
        pass
    except TypeError:
        raise TypeError(f"lookup_nutrient() takes a str, not {type(name).__name__}") from None
    if not isinstance(name, str):
        raise TypeError(f"lookup_nutrient() takes a str, not {type(name).__name__}")
    found = index.get(normalize_name(name))
    if found is None:
        raise UnknownNutrientError(name, _suggestions(name))
    return found


def _suggestions(name: str) -> tuple[str, ...]:
    k = knowledge()
    display: dict[str, str] = {}
    for n in k.nutrients:
        for shown in (n.id, n.name, *n.aliases, *n.forms):
            display.setdefault(normalize_name(shown), shown)
    close = difflib.get_close_matches(normalize_name(name), display, n=3, cutoff=0.6)
    return tuple(display[c] for c in close)


def foods_rich_in(
    nutrient: str | Nutrient, *, limit: int | None = None, diet: str | None = None
) -> tuple[FoodSource, ...]:
    """Foods rich in a nutrient, richest per serving first.

    Args:
        nutrient: anything :func:`lookup_nutrient` takes, or a :class:`Nutrient`.
        limit: at most this many foods (``None`` for all).
        diet: ``None`` for every food, or ``"vegan"``, ``"vegetarian"`` (eggs and dairy
            allowed) or ``"pescatarian"`` (also fish and shellfish), in any case.

    Examples:
        >>> [f.name for f in foods_rich_in("iron", limit=2, diet="vegan")]  # doctest: +SKIP
        ['Breakfast cereals, fortified with 100% of the DV for iron', 'White beans, canned']

    Raises:
        UnknownNutrientError: the nutrient is not known.
        InvalidArgumentError: ``diet`` or ``limit`` is not one the function accepts.
    """
    nid = nutrient.id if isinstance(nutrient, Nutrient) else lookup_nutrient(nutrient).id
    if diet is not None and diet not in DIETS:
        spelled = _option(diet)
        if spelled not in DIETS:
            raise InvalidArgumentError(
                f"unknown diet {show(diet)}; accepted: None, {', '.join(repr(d) for d in DIETS)}"
            )
        diet = spelled
    foods = knowledge().foods[nid, diet]
    if limit is None:
        return foods
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidArgumentError(f"limit must be None or an int >= 0, not {show(limit)}")
    return foods[:limit]


def rls_factors(kind: str | None = None) -> tuple[RLSFactor, ...]:
    """Lifestyle triggers, secondary causes and medicines known to worsen RLS, each cited.

    ``kind`` narrows the list to ``"trigger"``, ``"secondary-cause"`` or ``"medicine"`` (in any
    case, with ``_`` or a space for the hyphen).
    """
    factors = knowledge().factors
    kinds = ("trigger", "secondary-cause", "medicine")
    if kind is None:
        return factors
    spelled = _option(kind)
    if spelled not in kinds:
        raise InvalidArgumentError(
            f"unknown factor kind {show(kind)}; accepted: None, {', '.join(repr(k) for k in kinds)}"
        )
    return tuple(f for f in factors if f.kind == spelled)


def _option(value: object) -> object:
    """An option as written, in the form it is listed in: "Vegan" and "secondary_cause" agree
    with "vegan" and "secondary-cause"."""
    if isinstance(value, str):
        return value.strip().casefold().replace("_", "-").replace(" ", "-")
    return value


def knowledge_info() -> KnowledgeInfo:
    """The version and review date of the packaged knowledge."""
    return knowledge().info
