"""The examples in the docstrings of the installed package run and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import rlsnutrition

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(rlsnutrition.__path__, "rlsnutrition.")
    if m.name != "rlsnutrition.__main__"
)


@pytest.mark.parametrize("name", ["rlsnutrition", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    if name == "rlsnutrition":
        # Public classes are shown as rlsnutrition.<Name>, so doctest finds their examples
        # here, once each is imported (the lazy ones on first access).
        for public in module.__all__:
            getattr(module, public)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
