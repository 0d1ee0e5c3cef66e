"""Layering (import-linter contracts) and a fast, lazy start for pre-commit."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_import_contracts_hold() -> None:
    from pathlib import Path

    script = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(script), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 9 kept, 0 broken" in result.stdout


def test_small_lint_does_not_import_heavy_modules(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "t.jsonl"
    data.write_text(
        '{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}\n'
    )
    code = (
        "import sys\n"
        "from ftprep.cli import main\n"
        f"main(['lint', {str(data)!r}, '--output-format', 'concise', '--no-progress'])\n"
        "heavy = [m for m in ('pandas', 'openpyxl', 'textual', 'datasketch', 'langdetect', 'openai')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert "HEAVY []" in result.stdout, result.stdout + result.stderr


def test_no_rule_code_outside_the_rules() -> None:
    """Only ``ftprep.rules`` names rule codes in code: everything else asks the registry, a
    rule class's ``code``, or a :class:`~ftprep.core.reasons.Reason` (prose in help texts
    and docstrings may mention codes)."""
    import ast
    import re

    code_like = re.compile(r"[A-Z]{2}\d{3}")
    src = ROOT / "src" / "ftprep"
    found = []
    for path in sorted(src.rglob("*.py")):
        if (src / "rules") in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and code_like.fullmatch(value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value!r}")
            if isinstance(node, ast.JoinedStr):  # f-strings: a code glued to a format
                for part in node.values:
                    if isinstance(part, ast.Constant) and re.search(
                        r"(^|[\s(])[A-Z]{2}\d{3} \[", str(part.value)
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {part.value!r}")
    assert not found, "rule codes outside ftprep.rules:\n" + "\n".join(found)


def test_every_reason_is_a_rule() -> None:
    """Each reason readers and converters give is reported by the rule of that name."""
    from ftprep.core.reasons import Reason
    from ftprep.rules import REGISTRY

    for reason in Reason:
        assert REGISTRY[reason.code].name == reason.value


def test_a_rule_is_its_module() -> None:
    """The registry is found from the rule modules: every public module of a rule group
    holds exactly one rule (shared helpers are ``_private``), so adding a rule is adding its
    module and its case file, and no rule can be left out of the registry."""
    import importlib
    import pkgutil

    from ftprep.core.rule import Rule
    from ftprep.rules import GROUP_PACKAGES, REGISTRY

    registered = {cls.__module__ for cls in REGISTRY.values()}
    assert len(registered) == len(REGISTRY)
    for group in GROUP_PACKAGES:
        package = importlib.import_module(f"ftprep.rules.{group}")
        for info in pkgutil.iter_modules(package.__path__):
            name = f"{package.__name__}.{info.name}"
            module = importlib.import_module(name)
            rules = [
                v
                for v in vars(module).values()
                if isinstance(v, type)
                and issubclass(v, Rule)
                and "code" in vars(v)
                and v.__module__ == name
            ]
            if info.name.startswith("_"):
                assert not rules, f"{name} is private but defines {rules}"
            else:
                assert name in registered and len(rules) == 1, name
    assert (ROOT / "fixtures" / "rules").is_dir()
    for code in REGISTRY:
        assert (ROOT / "fixtures" / "rules" / f"{code}.yaml").exists(), f"{code} has no case file"
