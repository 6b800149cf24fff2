"""The import graph follows the layers of docs/architecture.md, and adapters, the command line
and the tests reach the package through its public names only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "rlsnutrition"

# Lowest first: a module may import its own layer and the layers before it, never after.
LAYERS: list[set[str]] = [
    {"errors", "model", "_codes"},
    {"_normalize", "_converter", "_data", "_validate", "_knowledge", "_generate"},
    {"knowledge", "_units"},
    {"labs", "assessment", "_json", "_parse", "_rules", "_render", "_panel"},
    {"_assess", "_reading"},
    {"fhir", "_fhir_refs", "_fhir_source", "_fhir_context", "cds", "frame"},
    {"cli", "__main__"},
]
LAYER = {name: i for i, layer in enumerate(LAYERS) for name in layer}

ADAPTERS = {"fhir", "cds", "frame", "cli", "__main__"}
# An adapter's own private helpers (``_fhir_*`` for ``fhir``) are its to use.
OWN_HELPERS = {"fhir": ("_fhir_",)}
# Tests of private helpers, where no public behaviour shows what they check.
PRIVATE_TESTS = {
    "test_loader.py": "failure injection into loading (bad files, forks, the cache)",
    "test_assess_properties.py": "the rules' verdict memo agrees with judging afresh",
    "test_assess_input.py": "the value memo stays bounded and holds no long keys",
    "test_knowledge_api.py": "the unit cache stays bounded; long names are not normalised",
    "test_lookup.py": "name folding is idempotent (a property of normalize_name)",
    "test_assess_mutations.py": "which thresholds the rules compare values with (dead data shows "
    "in no public behaviour)",
    "fhir_reference.py": "the FHIR reader before issue 12, kept whole as the reference the "
    "faster reader must agree with",
    "test_fhir_fast.py": "the faster reader, and its split of references, agree with the "
    "reference reader on drawn sources",
}


def _imports(path: Path) -> set[str]:
    """The package modules ``path`` imports, at any depth of the file (lazy ones included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:
                base = module.split(".")[0]
            elif module == "rlsnutrition" or module.startswith("rlsnutrition."):
                base = module.removeprefix("rlsnutrition").lstrip(".").split(".")[0]
            else:
                continue
            if base:
                found.add(base)
            else:  # from . import x / from rlsnutrition import x
                found.update(a.name for a in node.names if (PACKAGE / f"{a.name}.py").exists())
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("rlsnutrition."):
                    found.add(alias.name.split(".")[1])
    return found


MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def test_every_module_has_a_layer() -> None:
    assert set(MODULES) <= set(LAYER), set(MODULES) - set(LAYER)


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_down_the_layers(module: str) -> None:
    for imported in _imports(PACKAGE / f"{module}.py") - {"__init__"}:
        assert LAYER[imported] <= LAYER[module], f"{module} imports {imported}, a layer above it"


@pytest.mark.parametrize("module", sorted(ADAPTERS & set(MODULES)))
def test_adapters_use_public_names_only(module: str) -> None:
    # No exceptions: what an adapter needs of the core is public API (read_value,
    # cut_points, context_key, ...), so the public API is enough to build one.
    private = {
        imported
        for imported in _imports(PACKAGE / f"{module}.py")
        if imported.startswith("_") and not imported.startswith(OWN_HELPERS.get(module, ("-",)))
    }
    assert not private, f"{module} imports private modules {sorted(private)}"


def test_an_adapters_own_helpers_are_its_alone() -> None:
    # fhir's private rooms (_fhir_*) are the adapter split in files, not core: nothing but the
    # adapter and its other rooms imports them.
    for module in MODULES:
        for imported in _imports(PACKAGE / f"{module}.py"):
            if imported.startswith("_fhir_"):
                assert module == "fhir" or module.startswith("_fhir_"), (module, imported)


# What the FHIR reader's rooms still take from private core modules: loading infrastructure,
# not the core's judgement (which they reach through public names). Listed so that it can only
# shrink.
ROOM_PRIVATE = {
    # JSON with a key given twice is refused by the one hook Assessment.from_json uses too.
    "_fhir_source": {"_json"},
}


@pytest.mark.parametrize("room", sorted(m for m in MODULES if m.startswith("_fhir_")))
def test_the_fhir_rooms_take_no_more_from_private_core_modules(room: str) -> None:
    private = {m for m in _imports(PACKAGE / f"{room}.py") if m.startswith("_")}
    assert private - {m for m in private if m.startswith("_fhir_")} == ROOM_PRIVATE.get(room, set())


@pytest.mark.parametrize("path", sorted((ROOT / "tests").glob("*.py")), ids=lambda p: p.name)
def test_tests_use_public_names_only(path: Path) -> None:
    private = {m for m in _imports(path) if m.startswith("_")}
    if path.name in PRIVATE_TESTS:
        assert private, f"{path.name} no longer needs private names: drop it from PRIVATE_TESTS"
        return
    assert not private, (
        f"{path.name} imports private modules {sorted(private)}: test through public names, or "
        "add it to PRIVATE_TESTS saying why no public behaviour shows what it checks"
    )


def test_tools_use_public_names_only() -> None:
    for path in (ROOT / "tools").glob("*.py"):
        assert not {m for m in _imports(path) if m.startswith("_")}, path.name
