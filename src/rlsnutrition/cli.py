"""The ``rlsnutrition`` command line: look up nutrients and foods, assess lab results.

Bad input prints one line on stderr naming what was wrong and exits with status 2.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from . import __version__
from .errors import RLSNutritionError, listed
from .knowledge import (
    analytes,
    foods_rich_in,
    knowledge_info,
    lookup_analyte,
    lookup_nutrient,
    nutrients,
    rls_factors,
)
from .model import DIETS, FACTOR_KINDS, SEXES

if TYPE_CHECKING:
    from datetime import datetime

    from . import Assessment, fhir
    from .labs import Context, LabResult

# The assessment half is imported by the command that needs it, so that `lookup`, `foods` and
# `nutrients` start as fast as a lookup from Python.

__all__ = ["main"]

EPILOG = """examples:
  rlsnutrition nutrients
  rlsnutrition lookup b12
  rlsnutrition foods iron --diet vegan --limit 5
  rlsnutrition factors --kind medicine
  rlsnutrition assess ferritin=45 tsat=18 "vitamin_d=30 nmol/L" --sex female
  rlsnutrition assess ferritin=40 vitamin_d=50 --units si
  rlsnutrition assess --fhir labs.json --patient Patient/123 --json
  curl -s "$FHIR/Observation?patient=123" | rlsnutrition assess --fhir -
"""


class _UsageError(Exception):
    pass


class _Version(argparse.Action):
    """``--version``: the package's version and the knowledge's, read when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> NoReturn:
        info = knowledge_info()
        print(f"rlsnutrition {__version__} (knowledge {info.version}, reviewed {info.reviewed})")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="rlsnutrition",
        description="What is known about nutrition and Restless Legs Syndrome, with sources. "
        "It informs and points to a clinician; it never prescribes a dose.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--version", action=_Version, nargs=0, help="show the package and knowledge versions"
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    s = sub.add_parser("nutrients", help="list the six RLS-linked nutrients")
    s.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser("lookup", help="what is known about one nutrient")
    s.add_argument("name", help="a nutrient id, name, alias or form, e.g. iron, B-12, D3")
    s.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser("foods", help="foods rich in a nutrient, richest per serving first")
    s.add_argument("nutrient", help="a nutrient id, name, alias or form")
    s.add_argument("--limit", type=int, metavar="N", help="at most N foods")
    s.add_argument(
        "--diet",
        metavar="DIET",
        help=f"only foods that fit this diet: {', '.join(DIETS)} (any case)",
    )
    s.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser(
        "factors", help="lifestyle triggers, secondary causes and medicines that worsen RLS"
    )
    s.add_argument(
        "--kind",
        metavar="KIND",
        help=f"only factors of this kind: {', '.join(FACTOR_KINDS)} (any case)",
    )
    s.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser(
        "assess",
        help="judge lab results for RLS",
        description="Judge lab results for the six RLS-linked nutrients. Give labs as\n"
        "ANALYTE=VALUE (a number in the default unit, or with a unit: 'vitamin_d=30 nmol/L',\n"
        "'ferritin=<5'), and/or FHIR files. Analytes:\n"
        + textwrap.fill(", ".join(a.id for a in analytes()), width=88)
        + "\n(or an alias or LOINC code); units as in the docs' guide.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("labs", nargs="*", metavar="ANALYTE=VALUE", help="e.g. ferritin=45 tsat=18")
    s.add_argument(
        "--sex",
        choices=SEXES,
        help="picks the WHO hemoglobin cut-off for anaemia (unknown: the lower one)",
    )
    s.add_argument(
        "--age", type=int, metavar="N", help="age in years (under 18: adult thresholds warning)"
    )
    s.add_argument(
        "--pregnant",
        action="store_true",
        help="pregnancy hemoglobin cut-off; IV iron left to a specialist",
    )
    s.add_argument(
        "--kidney-disease", action="store_true", help="adds the magnesium kidney caution"
    )
    s.add_argument(
        "--dialysis",
        action="store_true",
        help="judges iron by the guideline's criteria for end-stage renal disease",
    )
    s.add_argument(
        "--units",
        choices=("conventional", "si"),
        default="conventional",
        help="how to read numbers given without a unit: US conventional units (the default) "
        "or SI (what most labs outside the US report)",
    )
    s.add_argument(
        "--fhir",
        action="append",
        default=[],
        metavar="FILE",
        help="a FHIR JSON file, or - for standard input (repeatable)",
    )
    s.add_argument("--patient", metavar="REF", help="which patient in a FHIR file, e.g. Patient/2")
    s.add_argument(
        "--verbose",
        action="store_true",
        help="list each FHIR result that was not judged, not only their counts",
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    return p


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _cmd_nutrients(args: argparse.Namespace) -> None:
    items = nutrients()
    if args.json:
        _print_json([{"id": n.id, "name": n.name, "evidence": n.evidence.grade} for n in items])
        return
    for n in items:
        print(f"{n.id:<12} {n.name:<12} RLS evidence: {n.evidence.grade}")


def _cmd_lookup(args: argparse.Namespace) -> None:
    n = lookup_nutrient(args.name)
    if args.json:
        _print_json(attrs.asdict(n))
    else:
        print(n.summary())


def _cmd_foods(args: argparse.Namespace) -> None:
    n = lookup_nutrient(args.nutrient)
    foods = foods_rich_in(n, limit=args.limit, diet=args.diet)
    if args.json:
        _print_json([attrs.asdict(f) for f in foods])
        return
    diet = f" ({args.diet.strip().lower()})" if args.diet else ""
    print(f"Foods rich in {n.name}{diet}, per serving:")
    for f in foods:
        dv = "" if f.percent_dv is None else f"  {f.percent_dv:g}% DV"
        print(f"  {f.amount:>7g} {f.unit:<7} {f.name}, {f.serving}{dv}")
    print(f"Daily Value: {n.daily_value.amount:g} {n.daily_value.unit} (FDA, 2016 labelling rule)")


def _cmd_factors(args: argparse.Namespace) -> None:
    factors = rls_factors(args.kind)
    if args.json:
        _print_json([attrs.asdict(f) for f in factors])
        return
    for f in factors:
        print(f"{f.name} ({f.kind})")
        print(textwrap.fill(f.text, 100, initial_indent="  ", subsequent_indent="  "))
        if f.examples:
            examples = "e.g. " + ", ".join(f.examples)
            print(textwrap.fill(examples, 100, initial_indent="  ", subsequent_indent="  "))
        for r in f.references:
            print(textwrap.fill(str(r), 100, initial_indent="  - ", subsequent_indent="    "))


def _parse_lab(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise _UsageError(f"lab {text!r} is not ANALYTE=VALUE (e.g. ferritin=45)")
    return key.strip(), value.strip()


def _cmd_assess(args: argparse.Namespace) -> None:
    from . import assess
    from .labs import Context, LabResult

    labs = [_parse_lab(item) for item in args.labs]
    results: tuple[LabResult, ...] = ()
    if args.patient is not None and not args.fhir:
        raise _UsageError("--patient chooses whose results to read from --fhir files; give --fhir")
    read = _read_fhir(args.fhir, args.patient) if args.fhir else None
    if read is not None:
        results = read.results
        # What the FHIR files held but could not be judged goes to stderr, keeping stdout clean:
        # one line of counts by reason, or with --verbose each result.
        if read.skipped:
            counts = collections.Counter(s.reason_code for s in read.skipped)
            summary = ", ".join(f"{n} {reason}" for reason, n in counts.most_common())
            hint = "" if args.verbose else " (--verbose lists them)"
            _note(f"{len(read.skipped)} FHIR result(s) not judged: {summary}{hint}")
        if args.verbose:
            for skipped in read.skipped:
                _note(str(skipped))
        for line in read.notes:
            _note(line)
    if not labs and not results:
        if args.fhir:
            raise _UsageError("the FHIR file(s) held no lab result that can be judged (see notes)")
        raise _UsageError("assess needs labs: ANALYTE=VALUE arguments and/or --fhir FILE")
    # Each flag overrides only its own field: --sex leaves the record's dialysis in place.
    flags = {
        "sex": args.sex,
        "age": args.age,
        "pregnant": args.pregnant or None,
        "kidney_disease": args.kidney_disease or None,
        "dialysis": args.dialysis or None,
    }
    record = read.context if read is not None and read.context is not None else Context()
    context = attrs.evolve(record, **{k: v for k, v in flags.items() if v is not None})
    # Labs typed on the command line win over the same analyte from a file. Keys are analyte
    # ids from here on.
    combined: dict[str, object] = {r.analyte: r for r in results}
    typed: dict[str, str] = {}
    for key, value in labs:
        analyte = lookup_analyte(key).id
        if analyte in typed:
            raise _UsageError(
                f"{analyte} is given twice ({typed[analyte]} and {key}={value}); "
                "give each analyte once"
            )
        typed[analyte] = f"{key}={value}"
        replaced = combined.get(analyte)
        if isinstance(replaced, LabResult):  # said, since the typed value has no date
            _note(
                f"{key}={value} replaces the file's {analyte} result "
                f"({replaced.value:g} {replaced.unit or ''}, {replaced.when or 'undated'})"
            )
        combined[analyte] = value
    result = assess(combined, context=context, units=args.units)
    if read is not None:  # the record's subject, medicines and notes, as assess(read) has them
        warnings = result.warnings + read.assessment_warnings()
        result = attrs.evolve(result, warnings=warnings, subject=read.subject)
    if args.json:
        print(result.to_json(indent=2))
    else:
        print(_report(result))


def _note(text: str) -> None:
    print(f"rlsnutrition: note: {text}", file=sys.stderr)


def _report(result: Assessment) -> str:
    """The assessment as text, with whose labs they are and each value as given, with the date
    it was taken where known (a result of years ago is seen to be one)."""
    lines = str(result).split("\n")
    head: list[str] = []
    if result.subject is not None:
        head.append(f"Subject: {result.subject}")
    values = {(v.analyte, v.when): v for f in result.findings for v in f.values}
    if values:
        shown = []
        for v in values.values():
            number = v.given_value if v.given_value is not None else v.value
            unit = v.given_unit if v.given_value is not None and v.given_unit else v.unit
            taken = f" (taken {v.when})" if v.when else ""
            shown.append(f"{v.analyte} {v.comparator or ''}{number:.4g} {unit}{taken}")
        head += textwrap.wrap("Values: " + "; ".join(shown), 100, subsequent_indent="  ")
    return "\n".join([lines[0], *head, *lines[1:]])


def _fhir_source(path: str) -> object:
    """What ``fhir.read`` reads for a ``--fhir`` argument: ``-`` is standard input, read up to
    the reader's size limit (a larger input is refused by the reader, not read forever)."""
    if path != "-":
        return path
    from . import fhir

    return sys.stdin.buffer.read(fhir.MAX_BYTES + 1)


def _read_fhir(paths: Sequence[str], patient: str | None) -> fhir.FhirLabs:
    """What FHIR files that are all about one person hold, as one read: the newest result per
    analyte across them (``rn.latest``, the one newest-result policy), what could not be
    judged (each naming its file), the subject, and the context and medicines they give."""
    from . import fhir
    from .labs import latest

    reads = [(path, fhir.read(_fhir_source(path), patient=patient)) for path in paths]
    subjects = {read.subject for _, read in reads}
    if len(reads) > 1 and (len(subjects) > 1 or None in subjects):
        about = listed(
            (f"{path}: {r.subject or 'no subject named'}" for path, r in reads), sep="; "
        )
        raise fhir.FhirError(
            f"the FHIR files are not all about one subject ({about}); one person's labs are "
            "never mixed with another's: give the files of one person (--patient chooses "
            "within each file)"
        )
    local = [
        (path, r.subject)
        for path, r in reads
        if r.subject and not fhir.subject_is_global(r.subject)
    ]
    if len(reads) > 1 and local and patient is None:
        # Patient/1 in two files is Patient 1 of two unknown servers: maybe two people.
        about = listed((f"{path}: {subject}" for path, subject in local), sep="; ")
        raise fhir.FhirError(
            f"the FHIR files name their subject only within each file ({about}), so they "
            "cannot be shown to be one person; if they are, say so with --patient "
            f"{local[0][1]!r}, or give files that name the patient by full URL or identifier"
        )
    chosen = latest(r for _, read in reads for r in read.results)
    skipped = [
        attrs.evolve(s, resource=f"{path}: {s.resource}")
        for path, read in reads
        for s in read.skipped
    ]
    skipped += [
        fhir.Skipped(", ".join(paths), c.analyte, "conflicting", str(c)) for c in chosen.conflicts
    ]
    notes = [f"{path}: {note}" for path, read in reads for note in read.notes]
    context, context_notes = _merge_contexts(reads)
    notes += context_notes
    medicines = {(m.name, m.system, m.code): m for _, read in reads for m in read.medicines}
    return fhir.FhirLabs(
        chosen.results,
        tuple(skipped),
        reads[0][1].subject,
        tuple(notes),
        context,
        tuple(medicines.values()),
    )


def _merge_contexts(
    reads: Sequence[tuple[str, fhir.FhirLabs]],
) -> tuple[Context | None, list[str]]:
    """One context from several files about one person, field by field: age and pregnancy
    from the file with the newest result, kidney disease or dialysis when any file has it, sex
    when the files agree. What differs is said in a note, never dropped silently."""
    from .labs import NO_DATE, Context, parse_when

    def newest(read: fhir.FhirLabs) -> datetime:
        return max((w for r in read.results if (w := parse_when(r.when))), default=NO_DATE)

    dated = [(newest(read), path, read.context) for path, read in reads if read.context]
    dated.sort(key=lambda item: item[0], reverse=True)  # stable: ties keep the files' order
    given = [(path, context) for _, path, context in dated]
    if not given:
        return None, []
    if len(given) == 1:
        return given[0][1], []
    notes: list[str] = []
    ages = [(path, c.age) for path, c in given if c.age is not None]
    if len({age for _, age in ages}) > 1:
        notes.append(f"age {ages[0][1]} is taken at the newest result ({ages[0][0]})")
    pregnant = given[0][1].pregnant
    if len({c.pregnant for _, c in given}) > 1:
        notes.append(f"pregnancy is taken from {given[0][0]}, the file with the newest result")
    sexes = sorted({c.sex for _, c in given if c.sex is not None})
    sex = sexes[0] if len(sexes) == 1 else None
    if len(sexes) > 1 or (sex == "male" and pregnant):
        shown = " and ".join(sexes) + (", with a pregnancy" if pregnant else "")
        notes.append(f"the files give sex {shown}; sex is left unknown (give --sex)")
        sex = None
    return Context(
        sex=sex,
        age=ages[0][1] if ages else None,
        pregnant=pregnant,
        kidney_disease=any(c.kidney_disease for _, c in given),
        dialysis=any(c.dialysis for _, c in given),
    ), notes


_COMMANDS = {
    "nutrients": _cmd_nutrients,
    "lookup": _cmd_lookup,
    "foods": _cmd_foods,
    "factors": _cmd_factors,
    "assess": _cmd_assess,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 bad input)."""
    for stream in (sys.stdout, sys.stderr):
        # Rationales hold signs such as ≤ and µ: on a console or file in a legacy encoding,
        # print a replacement character rather than fail.
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding != "utf8" and isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    args_list = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(args_list)
        if args.command == "assess" and args.fhir.count("-") > 1:
            raise _UsageError("--fhir - reads standard input, which can be read once")
        _COMMANDS[args.command](args)
    except (_UsageError, RLSNutritionError) as exc:
        if "--json" in args_list:  # a script reads the error as it reads the output
            kind = "UsageError" if isinstance(exc, _UsageError) else type(exc).__name__
            error = {"error": {"type": kind, "message": str(exc)}}
            print(json.dumps(error, ensure_ascii=False), file=sys.stderr)
        else:
            print(f"rlsnutrition: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return 0
    return 0
