"""Sessions for nox (``pip install nox``; ``nox -l`` lists them).

    nox -s tests          # the test suite on each of Python 3.10-3.13 found on PATH
    nox -s tests-3.12     # on one of them
    nox -s lint docs      # ruff, mypy --strict, and the strict docs build

CI (``.ci/run``) does the same without needing nox: the README's two commands, then the test
suite on every other supported Python the machine has, then lint and docs.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]

nox.options.sessions = ["tests", "lint", "docs"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install(".[test]")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install(".[dev]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "--strict", "src")


@nox.session
def docs(session: nox.Session) -> None:
    session.install(".[dev]")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", session.create_tmp())
