"""Every action OpenAI's prepare_data proposed appears as a finding with the same fix.

The outputs of prepare_data (openai 1.55) are recorded in fixtures/parity/*.prepare_data.txt;
see fixtures/parity/README.md for how they were made.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ftprep import api
from ftprep.core.diagnostic import Diagnostic

from .conftest import CORPUS, FIXTURES
from .corpus_mappings import REQUIRED

PARITY = FIXTURES / "parity"
RECORDED = sorted(PARITY.glob("*.prepare_data.txt"))


def source_for(recorded: Path) -> Path:
    stem = recorded.name[: -len(".prepare_data.txt")]
    if stem.startswith("corpus_"):
        return CORPUS / f"{stem[len('corpus_') :]}.jsonl"
    return PARITY / f"{stem}.jsonl"


def actions(text: str) -> list[str]:
    return [
        m.group(1)
        for m in re.finditer(r"^- \[(?:Necessary|Recommended)\] (.*?)(?: \[Y/n\]: Y)?$", text, re.M)
    ]


def rows(text: str, phrase: str) -> list[int]:
    match = re.search(re.escape(phrase) + r".*?These are rows: (\[[^\]]*\])", text)
    return ast.literal_eval(match.group(1)) if match else []


def unescape(text: str) -> str:
    return text.encode().decode("unicode_escape")


def by(diagnostics: list[Diagnostic], code: str) -> list[Diagnostic]:
    return [d for d in diagnostics if d.code == code]


def edits(d: Diagnostic) -> list[tuple[str, str, object]]:
    assert d.fix is not None, f"{d.code} has no fix"
    return [(e.op, e.pointer, e.as_dict().get("value")) for e in d.fix.edits]


def assert_suffix_fix(
    diags: list[Diagnostic], field: str, missing: str, inconsistent: str, suggested: str
) -> None:
    """prepare_data appends a new separator when not *every* text ends with one.

    Where most texts already share a separator, ftprep deliberately reports the few that
    lack it (SP002/SP005) and appends that separator to them, instead of stacking a second
    separator on every text; otherwise it makes prepare_data's own suggestion (SP001/SP004).
    """
    found = by(diags, missing)
    if found:
        (hit,) = found
        assert edits(hit) == [("append", field, suggested)]
        return
    partial = by(diags, inconsistent)
    assert partial, f"neither {missing} nor {inconsistent} reports the missing {field} ending"
    assert all(edits(d)[0][0] == "append" and edits(d)[0][1] == field for d in partial)


@pytest.mark.parametrize("recorded", RECORDED, ids=[p.name.split(".")[0] for p in RECORDED])
def test_every_prepare_data_action_is_a_finding(recorded: Path, tmp_path: Path) -> None:
    source = source_for(recorded)
    if not source.exists():
        assert not REQUIRED, f"the shared corpus is required here and missing: {source}"
        pytest.skip(f"{source} (shared corpus) is not here (set FTPREP_CORPUS)")
    text = recorded.read_text(encoding="utf-8")
    found = actions(text)
    options = {"rule_options": {"TK001": {"max-tokens": 2048}}}
    report = api.lint(str(source), **options)
    if not found:
        assert "No remediations found" in text
        # Rules about what prepare_data checked stay silent; the dataset rules it never had
        # (classes, duplicates, privacy) may still have something to say.
        beyond = ("CB", "DP", "PV", "LG")
        assert not [
            d for d in report.diagnostics if d.severity != "info" and not d.code.startswith(beyond)
        ]
        return
    diags = list(report.diagnostics)
    if any(a.startswith("Lower case column name") for a in found):
        # prepare_data renames the column first, then checks it: so does our fix loop.
        renamed = tmp_path / "renamed.jsonl"
        api.fix(str(source), str(renamed), select=["SC002"])
        seen = {(d.code, d.pointer, d.line) for d in diags}
        diags += [
            d
            for d in api.lint(str(renamed), **options).diagnostics
            if (d.code, d.pointer, d.line) not in seen
        ]
    empties = rows(text, "should not contain empty strings")
    for action in found:
        if action.startswith("Would you like to split"):
            continue  # a split, not a finding: `ftprep split`
        if m := re.fullmatch(r"Remove additional columns/keys: (\[.*\])", action):
            for key in ast.literal_eval(m.group(1)):
                hits = [d for d in by(diags, "SC003") if d.pointer == f"/{key}"]
                assert hits and all(edits(d) == [("delete-key", f"/{key}", None)] for d in hits)
        elif m := re.fullmatch(r"Remove (\d+) rows with empty completions", action):
            hits = [d for d in by(diags, "SC006") if d.pointer == "/completion"]
            assert len(hits) == int(m.group(1))
            assert sorted(d.line - 1 for d in hits) == rows(
                text, "should not contain empty strings"
            )
            assert all(edits(d)[0][0] == "drop-record" for d in hits)
        elif m := re.fullmatch(r"Remove (\d+) duplicate rows", action):
            hits = by(diags, "DP001")
            assert len(hits) == int(m.group(1))
            # prepare_data numbers rows after dropping empty completions (its index-shift
            # bug); ftprep reports original lines, so shift ours the same way to compare.
            shifted = sorted(d.line - 1 - sum(e < d.line - 1 for e in empties) for d in hits)
            assert shifted == rows(text, "duplicated prompt-completion sets")
            assert all(edits(d)[0][0] == "drop-record" for d in hits)
        elif m := re.fullmatch(
            r"Remove prefix `(.*)` from all (prompts|completions)", action, re.S
        ):
            code, field = (
                ("SP007", "/prompt") if m.group(2) == "prompts" else ("SP008", "/completion")
            )
            (hit,) = by(diags, code)
            assert edits(hit) == [("remove-prefix", field, unescape(m.group(1)))]
        elif m := re.fullmatch(r"Add a suffix separator `(.*)` to all prompts", action, re.S):
            assert_suffix_fix(diags, "/prompt", "SP001", "SP002", unescape(m.group(1)))
        elif m := re.fullmatch(r"Add a suffix ending `(.*)` to all completions", action, re.S):
            assert_suffix_fix(diags, "/completion", "SP004", "SP005", unescape(m.group(1)))
        elif action == "Add a whitespace character to the beginning of the completion":
            hits = by(diags, "WS001")
            assert hits and all(edits(d) == [("prepend", "/completion", " ")] for d in hits)
        elif m := re.fullmatch(r"Remove (\d+) long examples", action):
            hits = by(diags, "TK001")
            assert len(hits) == int(m.group(1))
            assert all(edits(d)[0][0] == "drop-record" for d in hits)
        elif m := re.fullmatch(r"Lower case column name to `(\w+)`", action):
            hits = [d for d in by(diags, "SC002") if d.pointer == f"/{m.group(1)}"]
            assert hits and all(edits(d)[0][0] == "rename-key" for d in hits)
        elif m := re.fullmatch(r"Lowercase all your data in column/key `(\w+)`", action):
            hits = [d for d in by(diags, "WS005") if d.pointer == f"/{m.group(1)}"]
            assert len(hits) == 1 and edits(hits[0]) == [("lowercase", f"/{m.group(1)}", None)]
        else:
            raise AssertionError(f"no mapping for prepare_data action {action!r}")


def test_common_completion_prefix_fix_does_not_corrupt(tmp_path: Path) -> None:
    """prepare_data 1.x replaced every completion with the repr of a pandas Series here."""
    out = tmp_path / "fixed.jsonl"
    api.fix(str(PARITY / "uppercase_prefix.jsonl"), str(out), unsafe=True, select=["SP008"])
    first = out.read_text(encoding="utf-8").splitlines()[0]
    assert first.endswith('"completion": " refund number 0 is fine END"}')  # the file's style
