"""The exceptions rlsnutrition raises.

Every error the library raises on bad input derives from [`RLSNutritionError`][rlsnutrition.RLSNutritionError], and each
is also the built-in exception a caller would naturally catch (``LookupError`` for names that
match nothing, ``ValueError`` for values and units that cannot be used)::

    try:
        rn.assess({"ferritin": "lots"})
    except rn.RLSNutritionError as exc:
        print(exc)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

__all__ = [
    "DataError",
    "InvalidArgumentError",
    "InvalidLabValueError",
    "RLSNutritionError",
    "UnknownAnalyteError",
    "UnknownNutrientError",
    "UnknownUnitError",
]


class RLSNutritionError(Exception):
    """Base class of every error rlsnutrition raises on purpose.

    ``panel_index`` is the panel it came from when raised (or returned) by ``assess_many``
    (counting from 0), else None.
    """

    panel_index: int | None = None


class UnknownNutrientError(RLSNutritionError, LookupError):
    """A name matches none of the six nutrients, their aliases or their forms.

    Attributes:
        name: the name as given.
        suggestions: the closest known names ("did you mean"), best first.
        accepted: the nutrient ids, as the message lists them.
    """

    def __init__(
        self,
        name: str,
        suggestions: tuple[str, ...] = (),
        accepted: tuple[str, ...] = (),
        why: str = "",
    ) -> None:
        self.name = name
        self.suggestions = suggestions
        self.accepted = accepted
        self._why = why
        known = ", ".join(accepted) if accepted else "see rlsnutrition.nutrients()"
        super().__init__(
            f"unknown nutrient {show(name)}{why}{_hint(suggestions)} Known nutrients: {known} "
            "(or any of their aliases and forms)."
        )

    def __reduce__(
        self,
    ) -> tuple[type[UnknownNutrientError], tuple[object, ...], dict[str, object]]:
        # The state keeps what was set on the error later (panel_index, notes) across pickling.
        return (type(self), (self.name, self.suggestions, self.accepted, self._why), self.__dict__)


class UnknownAnalyteError(RLSNutritionError, LookupError):
    """A lab key matches no analyte id, alias or LOINC code.

    Attributes:
        key: the key as given.
        suggestions: the closest known analyte names, best first.
        accepted: the analyte ids, as the message lists them.
    """

    def __init__(
        self,
        key: str,
        suggestions: tuple[str, ...] = (),
        accepted: tuple[str, ...] = (),
        why: str = "",
    ) -> None:
        self.key = key
        self.suggestions = suggestions
        self.accepted = accepted
        self._why = why
        ids = f" ({', '.join(accepted)})" if accepted else " (see rlsnutrition.analytes())"
        super().__init__(
            f"unknown lab analyte {show(key)}{why}{_hint(suggestions)} Accepted: an analyte "
            f"id{ids}, one of their aliases, or a LOINC code."
        )

    def __reduce__(self) -> tuple[type[UnknownAnalyteError], tuple[object, ...], dict[str, object]]:
        # The state keeps what was set on the error later (panel_index, notes) across pickling.
        return (type(self), (self.key, self.suggestions, self.accepted, self._why), self.__dict__)


class UnknownUnitError(RLSNutritionError, ValueError):
    """A unit is unknown, or cannot be converted for the analyte it was given with."""


class InvalidLabValueError(RLSNutritionError, ValueError):
    """A lab value is negative, NaN, infinite, unparsable or impossible (TSAT above 100 %)."""


class InvalidArgumentError(RLSNutritionError, ValueError):
    """An option has a value outside what the function accepts (a diet, a limit, a sex)."""


class DataError(RLSNutritionError):
    """The packaged knowledge failed validation; the message names the file and field."""


def show(obj: object, limit: int = 60) -> str:
    """``repr(obj)`` cut to ``limit`` characters, for quoting a caller's input in a message.

    Safe for anything: an integer too long for ``repr`` (Python refuses over 4,300 digits) or
    an object whose ``__repr__`` fails is described instead.
    """
    if isinstance(obj, int) and obj.bit_length() > 1000:
        return f"<an integer of about {int(obj.bit_length() * 0.30103) + 1} digits>"
    try:
        text = repr(obj)
    except Exception:  # a caller's object with a broken __repr__
        text = f"<a {type(obj).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _hint(suggestions: tuple[str, ...]) -> str:
    return f"; did you mean {_or_list(suggestions)}?" if suggestions else "."


def _or_list(items: tuple[str, ...]) -> str:
    quoted = [repr(i) for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def listed(items: Iterable[str], most: int = 10, sep: str = ", ") -> str:
    """Items joined for a message: the first ``most``, then how many more (a source naming
    100,000 subjects gives a message of a line, not of megabytes)."""
    it = iter(items)
    shown_ = list(itertools.islice(it, most + 1))
    if len(shown_) <= most:
        return sep.join(shown_)
    rest = sum(1 for _ in it) + 1
    return sep.join(shown_[:most]) + f"{sep}and {rest} more"
