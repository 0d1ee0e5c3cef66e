"""Every rule against its case file in fixtures/rules/CODE.yaml (sqlfluff-style).

A case gives input (JSONL text, CSV text, or a fixture file), the findings the rule must
report (line and pointer), and optionally the data after ``--fix`` for that rule alone.
Fixing the fixed data again must change nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ftprep import api
from ftprep.rules import REGISTRY

from .conftest import FIXTURES, ROOT

CASE_DIR = FIXTURES / "rules"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(CASE_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            cases.append((spec["rule"], case))
    return cases


CASES = load_cases()


def write_input(tmp_path: Path, case: dict[str, Any]) -> str:
    if "file" in case:
        return str(ROOT / case["file"])
    if "jsonl" in case:
        path = tmp_path / "case.jsonl"
        path.write_bytes(case["jsonl"].encode("utf-8"))
    elif "jsonl_bytes" in case:
        path = tmp_path / "case.jsonl"
        path.write_bytes(bytes.fromhex(case["jsonl_bytes"]))
    elif "csv" in case:
        path = tmp_path / "case.csv"
        path.write_bytes(case["csv"].encode("utf-8"))
    elif "tsv" in case:
        path = tmp_path / "case.tsv"
        path.write_bytes(case["tsv"].encode("utf-8"))
    else:
        raise AssertionError(f"case {case['name']!r} has no input")
    return str(path)


def options(code: str, case: dict[str, Any]) -> dict[str, Any]:
    opts: dict[str, Any] = {"select": [code]}
    opts.update(case.get("options", {}))
    if "tokenizer" in opts:  # a test tokenizer of fixtures/tokenizers, built on first use
        from .tokenizer_kit import folder

        opts["tokenizer"] = folder(opts["tokenizer"])
    return opts


@pytest.mark.parametrize(
    ("code", "case"), CASES, ids=[f"{code}-{case['name']}" for code, case in CASES]
)
def test_rule_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    path = write_input(tmp_path, case)
    peers: dict[str, str] = {}
    for key, name in (("valid_jsonl", "valid"), ("against_jsonl", "against")):
        if key in case:  # splits-scope rules: a validation file or an evaluation set
            peer = tmp_path / f"{name}.jsonl"
            peer.write_text(case[key], encoding="utf-8")
            peers[name] = str(peer)
    report = api.lint(path, **peers, **options(code, case))
    found = sorted(
        (d.split, d.line or 0, d.pointer or "") for d in report.diagnostics if d.code == code
    )
    expected = sorted(
        (e.get("split", "train"), e.get("line") or 0, e.get("pointer", "")) for e in case["expect"]
    )
    assert found == expected, [d.message for d in report.diagnostics]
    for e, d in zip(
        sorted(
            case["expect"],
            key=lambda e: (e.get("split", "train"), e.get("line") or 0, e.get("pointer", "")),
        ),
        sorted(
            (d for d in report.diagnostics if d.code == code),
            key=lambda d: (d.split, d.line or 0, d.pointer or ""),
        ),
        strict=True,
    ):
        if "message" in e:
            assert e["message"] in d.message
        if "severity" in e:
            assert d.severity.value == e["severity"]
    if "fixed_valid" in case:
        out, valid_out = tmp_path / "fixed.jsonl", tmp_path / "valid.fixed.jsonl"
        result = api.fix(
            path,
            str(out),
            unsafe=case.get("unsafe", False),
            valid=peers["valid"],
            valid_output=str(valid_out),
            **options(code, case),
        )
        assert valid_out.read_text(encoding="utf-8") == case["fixed_valid"]
        assert result.valid is not None
        assert result.valid.read == result.valid.written + result.valid.rejected
    if "fixed" in case:
        out = tmp_path / "fixed.jsonl"
        result = api.fix(path, str(out), unsafe=case.get("unsafe", False), **options(code, case))
        assert out.read_text(encoding="utf-8") == case["fixed"]
        assert result.read == result.written + result.rejected
        again = tmp_path / "fixed2.jsonl"
        api.fix(str(out), str(again), unsafe=case.get("unsafe", False), select=[code])
        assert again.read_bytes() == out.read_bytes(), "fixing twice must equal fixing once"
        if "rejected" in case:
            assert result.rejected == case["rejected"]


def test_every_rule_has_pass_and_fail_cases() -> None:
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for code, case in CASES:
        by_rule.setdefault(code, []).append(case)
    missing = [code for code in REGISTRY if code not in by_rule]
    assert not missing, f"rules without a case file: {missing}"
    for code, cases in by_rule.items():
        assert any(not c["expect"] for c in cases), f"{code} has no passing case"
        assert any(c["expect"] for c in cases), f"{code} has no failing case"
        cls = REGISTRY[code]
        if cls.fix_availability.value != "none":
            assert any("fixed" in c or "fixed_valid" in c for c in cases), (
                f"{code} offers a fix but no case tests it"
            )
