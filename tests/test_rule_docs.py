"""Every rule is documented in fixed sections, registered once, and named as an offence."""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import textwrap

import pytest

from ftprep.core.rule import Scope
from ftprep.rules import REGISTRY, RESERVED

SECTIONS = [
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Options",
    "## Fix safety",
    "## References",
]


@pytest.mark.parametrize("code", list(REGISTRY))
def test_docstring_sections_in_order(code: str) -> None:
    doc = REGISTRY[code].doc()
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), (
        f"{code} lacks {[s for s, p in zip(SECTIONS, positions, strict=False) if p < 0]}"
    )
    assert positions == sorted(positions), f"{code} sections out of order"
    for section in SECTIONS:
        body = doc.split(section, 1)[1].split("##", 1)[0].strip()
        assert body, f"{code}: {section} is empty"


@pytest.mark.parametrize("code", list(REGISTRY))
def test_metadata(code: str) -> None:
    cls = REGISTRY[code]
    assert cls.code == code
    assert re.fullmatch(r"[A-Z]{2}\d{3}", code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", cls.name)
    assert cls.group and cls.targets
    assert isinstance(cls.scope, Scope)
    module = cls.__module__.rsplit(".", 1)[1]
    assert module == cls.name.replace("-", "_"), "one module per rule, named after it"
    if cls.Options.model_fields:
        documented = _documented_fields(cls.Options)
        for name in cls.Options.model_fields:
            assert name in documented, f"{code} option {name} has no docstring"
            assert f"`{name.replace('_', '-')}`" in cls.doc(), f"{code} does not document {name}"


def _documented_fields(options: type) -> set[str]:
    """Fields of an options class (and its bases) followed by a docstring. Read from the
    source here rather than by pydantic at import time, which would cost every run ~40 ms."""
    found: set[str] = set()
    for klass in options.__mro__:
        if klass.__module__.startswith("pydantic") or klass is object:
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0]
        assert isinstance(body, ast.ClassDef)
        for field, after in itertools.pairwise(body.body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                found.add(field.target.id)
    return found


def test_codes_and_names_are_unique() -> None:
    names = [cls.name for cls in REGISTRY.values()]
    assert len(names) == len(set(names))
    assert not set(RESERVED) & set(REGISTRY)


def test_catalogue_names_match_rules_md() -> None:
    """The names in ../shared/RULES.md are a contract; keep them when it is present."""
    from .corpus_mappings import CORPUS, REQUIRED

    # RULES.md sits beside the shared corpus (../shared, or $FTPREP_CORPUS's parent).
    rules_md = CORPUS.parent / "RULES.md"
    if not rules_md.exists():
        assert not REQUIRED, f"the shared RULES.md is required here and missing: {rules_md}"
        pytest.skip(f"{rules_md} is not here (set FTPREP_CORPUS)")
    table = dict(re.findall(r"^\| ([A-Z]{2}\d{3}) \| ([a-z-]+) \|", rules_md.read_text(), re.M))
    for code, name in table.items():
        assert REGISTRY[code].name == name, code


def test_the_project_catalogue_is_the_registry() -> None:
    """docs/rules.md lists every rule as `ftprep rule --all --markdown` prints it."""
    from .conftest import ROOT, run_cli

    printed = run_cli("rule", "--all", "--markdown").out
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == printed
    for code, cls in REGISTRY.items():
        assert f"| {code} | {cls.name} |" in printed
