"""Real public datasets (../shared/corpus): every file converts, or stops with a clear message.

The corpus is not part of this repository (licences vary); these tests run when it is
checked out beside the project, as it is in CI.
"""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ftprep import api

from .conftest import CORPUS, run_cli
from .corpus_mappings import AUDITED, MAPPINGS, findings, needs_corpus

pytestmark = needs_corpus()

FILES = (
    sorted(
        p.name for p in CORPUS.iterdir() if p.suffix in (".json", ".jsonl", ".csv", ".tsv", ".xlsx")
    )
    if CORPUS.exists()
    else []
)


def test_every_corpus_file_has_a_mapping() -> None:
    assert sorted(MAPPINGS) == FILES


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_converts_or_stops_clearly(name: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    args = MAPPINGS[name]
    result = run_cli("convert", str(CORPUS / name), *(args or []), "-o", str(out))
    if args is None:
        assert result.code in (1, 2)
        assert "Traceback" not in result.err and "internal error" not in result.err
        assert any(hint in result.err for hint in ("--map", "legacy Excel", "--sheet")), result.err
        return
    assert result.code in (0, 1), result.err
    written = len(out.read_bytes().splitlines())
    rejected_path = tmp_path / "out.rejected.jsonl"
    rejected = len(rejected_path.read_bytes().splitlines()) if rejected_path.exists() else 0
    assert f"Converted {written + rejected:,} records: {written:,} written" in result.out
    first = orjson.loads(out.read_bytes().splitlines()[0])
    shapes = (
        {"messages"},
        {"prompt", "completion"},
        {"input", "preferred_output", "non_preferred_output"},
    )
    assert any(shape <= set(first) for shape in shapes), first
    report = api.lint(str(out))
    assert report.files[0].records == written
    assert not [d for d in report.diagnostics if d.code == "IO001"]


def test_known_duplicates_are_found() -> None:
    report = api.lint(
        str(CORPUS / "sms_spam_collection.tsv"),
        header=False,
        quoting=False,
        mapping={"prompt": "B", "completion": "A"},
        select=["DP001"],
    )
    assert len(report.diagnostics) == 403  # MANIFEST: 403 duplicate lines
    report = api.lint(str(CORPUS / "mandarin2cantonese_raw.csv"), select=["DP001"])
    assert len(report.diagnostics) == 309  # MANIFEST: 309 duplicate rows


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_counting_pattern_matches_tiktokens_on_every_corpus_string(encoding: str) -> None:
    """Real text in many scripts splits the same under the fast and the published pattern."""
    from ftprep.core.tokens import ENCODINGS, build_encoding, get_encoding

    texts: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".jsonl":
            for line in path.read_bytes().splitlines():
                try:
                    texts.extend(_strings(orjson.loads(line)))
                except orjson.JSONDecodeError:
                    continue
        elif path.suffix == ".json":
            texts.extend(_strings(orjson.loads(path.read_bytes())))
    assert len(texts) > 100_000
    ours = get_encoding(encoding)
    published = build_encoding(encoding, ENCODINGS[encoding]["published_pat_str"])
    differ = [t for t in texts if ours.encode_ordinary(t) != published.encode_ordinary(t)]
    assert differ == []


def test_findings_per_rule_are_the_audited_ones() -> None:
    """Every rule's findings on every corpus file, by count: the false-alarm regression
    suite on real data. A change here is a changed verdict; read the findings, then
    refresh with FTPREP_UPDATE_SNAPSHOTS=1."""
    import json
    import os

    counts = {name: dict(sorted(findings(name).items())) for name in FILES}
    if os.environ.get("FTPREP_UPDATE_SNAPSHOTS"):
        AUDITED.write_text(json.dumps(counts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    audited = json.loads(AUDITED.read_text(encoding="utf-8"))
    assert counts == audited
