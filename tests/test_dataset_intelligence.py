"""Leaks, near-duplicates, splits, classes and language, end to end (CLI and API)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ftprep import api
from ftprep.core import language, similarity

from .conftest import ROOT, run_cli
from .planted import make


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return str(path)


# -- similarity --------------------------------------------------------------------------
def test_normalisation_ignores_case_punctuation_and_spacing() -> None:
    a = similarity.shingles("Where is my parcel? It should  have arrived!")
    b = similarity.shingles("where is my parcel it should have arrived")
    assert similarity.jaccard(a, b) == 1.0
    c = similarity.shingles("Where is my invoice? It should have arrived!")
    assert similarity.jaccard(a, c) < 1.0


def test_cjk_and_short_texts_use_character_shingles() -> None:
    # One changed character in a short Chinese text keeps most character 3-grams.
    a = similarity.shingles("我的包裹在哪里？应该星期一就到了，请帮我查一下物流信息。")
    b = similarity.shingles("我的包裹在哪里？应该星期二就到了，请帮我查一下物流信息。")
    assert similarity.jaccard(a, b) > 0.7
    assert len(similarity.shingles("")) == 0 and len(similarity.shingles("?!")) == 0


def test_signatures_are_deterministic_and_estimate_jaccard() -> None:
    a = similarity.shingles(" ".join(f"word{i}" for i in range(200)))
    b = similarity.shingles(" ".join(f"word{i}" for i in range(20, 220)))
    sa, sb = similarity.signature(a), similarity.signature(b)
    assert (sa == similarity.signature(a)).all()
    estimate = float((sa == sb).mean())
    assert abs(estimate - similarity.jaccard(a, b)) < 0.15


# -- leaks (DP003) -----------------------------------------------------------------------
def test_planted_leaks_are_found_and_nothing_else(tmp_path: Path) -> None:
    train, valid, leaks = make(n_train=400, n_valid=200, n_leaks=70)
    t = write_jsonl(tmp_path / "train.jsonl", train)
    v = write_jsonl(tmp_path / "valid.jsonl", valid)
    report = api.lint(t, valid=v, select=["DP003"])
    found = {d.record: d.related[0].record for d in report.diagnostics if d.code == "DP003"}
    hits = sum(1 for vi, ti in leaks.items() if found.get(vi) == ti)
    assert hits / len(leaks) >= 0.95, f"found {hits} of {len(leaks)} planted leaks"
    # Every record sharing only the system prompt and the answer style stays silent.
    assert set(found) <= set(leaks), sorted(set(found) - set(leaks))
    for d in report.diagnostics:
        assert d.split == "valid" and d.related[0].similarity >= 0.8


def test_leak_findings_are_the_same_from_cli_api_and_json(tmp_path: Path) -> None:
    train, valid, _ = make(n_train=60, n_valid=30, n_leaks=6, seed=3)
    t = write_jsonl(tmp_path / "train.jsonl", train)
    v = write_jsonl(tmp_path / "valid.jsonl", valid)
    from_api = [
        (d.line, d.related[0].line) for d in api.lint(t, valid=v, select=["DP003"]).diagnostics
    ]
    result = run_cli("lint", t, "--valid", v, "--select", "DP003", "--output-format", "json")
    assert result.code == 1  # DP003 is an error
    from_json = [
        (d["line"], d["related"][0]["line"]) for d in json.loads(result.out)["diagnostics"]
    ]
    assert from_api == from_json and len(from_api) == 6


def test_fixing_drops_leaked_validation_records(tmp_path: Path) -> None:
    train, valid, _ = make(n_train=60, n_valid=30, n_leaks=5, seed=4)
    t = write_jsonl(tmp_path / "train.jsonl", train)
    v = write_jsonl(tmp_path / "valid.jsonl", valid)
    out = run_cli(
        "lint",
        t,
        "--valid",
        v,
        "--select",
        "DP003",
        "--fix",
        "--unsafe-fixes",
        "-o",
        str(tmp_path / "t.fixed.jsonl"),
        "--valid-output",
        str(tmp_path / "v.fixed.jsonl"),
    )
    assert "read 30 = written 25 + rejected 5" in out.out
    rejected = (tmp_path / "v.fixed.rejected.jsonl").read_text("utf-8").splitlines()
    assert len(rejected) == 5 and all("DP003" in line for line in rejected)
    again = api.lint(t, valid=str(tmp_path / "v.fixed.jsonl"), select=["DP003"])
    assert not again.diagnostics
    missing = run_cli("lint", t, "--valid", v, "--fix", "-o", str(tmp_path / "x.jsonl"))
    assert missing.code == 2 and "--valid-output" in missing.err


def test_against_reports_training_records_in_the_evaluation_set(tmp_path: Path) -> None:
    train, valid, leaks = make(n_train=50, n_valid=20, n_leaks=4, seed=5)
    t = write_jsonl(tmp_path / "train.jsonl", train)
    e = write_jsonl(tmp_path / "eval.jsonl", valid)
    as_json = run_cli("lint", t, "--valid", e, "--against", e, "--output-format", "json")
    schema = json.loads((ROOT / "docs" / "json-report.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads(as_json.out), schema)
    result = run_cli("lint", t, "--against", e, "--select", "DP003", "--output-format", "concise")
    lines = [x for x in result.out.splitlines() if "DP003" in x]
    assert len(lines) == len(set(leaks.values()))
    assert all(x.startswith(t) and "evaluation record at" in x for x in lines)


# -- split -------------------------------------------------------------------------------
def classification_rows() -> list[dict[str, str]]:
    rows = []
    for i in range(120):
        label = "refund" if i % 3 else "delivery"
        if i % 40 == 7:
            label = "warranty"
        rows.append(
            {
                "prompt": f"Ticket {i}: a message about {label} number {i * 7919} ->",
                "completion": f" {label}",
            }
        )
    rows.append(dict(rows[0]))  # an exact copy
    rows.append({**rows[1], "prompt": rows[1]["prompt"].upper()})  # a near copy
    return rows


def test_split_is_stratified_deterministic_and_leak_free(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "all.jsonl", classification_rows())
    first = api.split(data, valid_fraction=0.2, seed=7)
    again = api.split(data, valid_fraction=0.2, seed=7)
    other = api.split(data, valid_fraction=0.2, seed=8)
    assert first.train == again.train and first.valid == again.valid
    assert first.valid != other.valid
    assert first.read == len(first.train) + len(first.valid) + first.rejected == 122
    assert first.stratified and set(first.classes) == {"refund", "delivery", "warranty"}
    assert all(train > 0 and valid > 0 for train, valid in first.classes.values())
    # The copies sit on the side of their original.
    for part in (first.train, first.valid):
        prompts = {r["prompt"].lower() for r in part}
        other_part = first.valid if part is first.train else first.train
        assert not prompts & {r["prompt"].lower() for r in other_part}
    t, v = tmp_path / "t.jsonl", tmp_path / "v.jsonl"
    result = run_cli(
        "split", data, "--valid-fraction", "0.2", "--seed", "7", "-o", str(t), "-O", str(v)
    )
    assert result.code == 0 and "warranty" in result.out and "read 122 = train" in result.out
    assert [json.loads(x) for x in v.read_text("utf-8").splitlines()] == first.valid
    check = api.lint(str(t), valid=str(v), select=["DP003", "CB003"])
    assert not check.diagnostics


def test_split_names_the_classes_that_cannot_be_split(tmp_path: Path) -> None:
    rows = [*classification_rows(), {"prompt": "A lone question ->", "completion": " other"}]
    data = write_jsonl(tmp_path / "all.jsonl", rows)
    result = run_cli(
        "split", data, "-o", str(tmp_path / "t.jsonl"), "-O", str(tmp_path / "v.jsonl")
    )
    assert result.code == 2 and "'other'" in result.err and "--no-stratify" in result.err
    ok = run_cli(
        "split",
        data,
        "--no-stratify",
        "-o",
        str(tmp_path / "t.jsonl"),
        "-O",
        str(tmp_path / "v.jsonl"),
    )
    assert ok.code == 0


def test_split_keeps_unreadable_lines_in_the_rejected_file(tmp_path: Path) -> None:
    data = tmp_path / "all.jsonl"
    rows = [
        {"prompt": f"Question {i} about topic {i * 31} ->", "completion": f" Answer {i}.\n"}
        for i in range(30)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", "utf-8")
    t = tmp_path / "t.jsonl"
    result = run_cli("split", str(data), "-o", str(t), "-O", str(tmp_path / "v.jsonl"))
    counts = re.search(
        r"read (\d+) = train (\d+) \+ validation (\d+) \+ rejected (\d+)", result.out
    )
    assert counts is not None
    read, train, valid, rejected = map(int, counts.groups())
    assert (read, rejected) == (31, 1) and read == train + valid + rejected and valid > 0
    assert "IO002" in (tmp_path / "t.rejected.jsonl").read_text("utf-8")


# -- classes from a declared label column --------------------------------------------------
def test_declared_labels_make_classification(tmp_path: Path) -> None:
    csv = tmp_path / "labels.csv"
    lines = ["text,label"] + [
        f"message {i} about things,{'yes' if i % 2 else 'no'}" for i in range(8)
    ]
    lines += ["message 99 about things,maybe"]
    csv.write_text("\n".join(lines) + "\n", "utf-8")
    # 3 labels for 9 rows is not "fewer than a third": only the declared label makes it classification.
    inferred = api.lint(str(csv), mapping={"prompt": "text", "completion": "label"}, select=["CB"])
    declared = api.lint(str(csv), mapping={"prompt": "text", "label": "label"}, select=["CB"])
    assert not inferred.diagnostics
    assert {d.code for d in declared.diagnostics} >= {"CB002"}


# -- language ----------------------------------------------------------------------------
def test_language_detection_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [
        {
            "prompt": "How do I reset the password for my online banking account today? ->",
            "completion": " Open the settings page and follow the reset link we e-mail you.",
        },
        {
            "prompt": "¿Dónde está mi pedido? Lo necesito para mañana por la mañana. ->",
            "completion": " Su pedido está en camino y llegará mañana por la mañana.",
        },
    ] * 3
    data = write_jsonl(tmp_path / "lang.jsonl", rows)
    first = api.lint(data, select=["LG"])
    calls: list[str] = []

    def counting(texts: list[str], backend: str = "langdetect") -> list[tuple[str, float]]:
        calls.extend(texts)
        return [("xx", 1.0)] * len(texts)

    monkeypatch.setattr("ftprep.rules.language._detections.detect_raw_many", counting)
    second = api.lint(data, select=["LG"])
    assert not calls, "a second run on unchanged data must not detect again"
    assert [d.message for d in second.diagnostics] == [d.message for d in first.diagnostics]
    monkeypatch.setenv("FTPREP_NO_CACHE", "1")
    api.lint(data, select=["LG"])
    assert calls


def test_signatures_are_cached_and_a_warm_run_finds_the_same_leaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-linting an unchanged training file against a new validation file signs only the
    validation records; the cached signatures are the computed ones, so are the findings."""
    train_rows, valid_rows, leaks = make(300, 40, 10, seed=3)
    train = write_jsonl(tmp_path / "train.jsonl", train_rows)
    valid = write_jsonl(tmp_path / "valid.jsonl", valid_rows)
    cold = api.lint(train, valid=valid, select=["DP003"])
    assert {d.record for d in cold.diagnostics} == set(leaks)
    signed: list[int] = []
    real = similarity._signatures

    def counting(hashes: Any, sizes: Any) -> Any:
        signed.append(len(sizes))
        return real(hashes, sizes)

    monkeypatch.setattr(similarity, "_signatures", counting)
    _, other_valid, _ = make(300, 25, 5, seed=4)
    api.lint(train, valid=write_jsonl(tmp_path / "new.jsonl", other_valid), select=["DP003"])
    assert sum(signed) <= 25, "only the new validation file's records are signed"
    signed.clear()
    warm = api.lint(train, valid=valid, select=["DP003"])
    assert sum(signed) == 0
    assert [(d.record, d.message) for d in warm.diagnostics] == [
        (d.record, d.message) for d in cold.diagnostics
    ]
    monkeypatch.setenv("FTPREP_NO_CACHE", "1")
    api.lint(train, valid=valid, select=["DP003"])
    assert sum(signed) == 340


def test_a_cache_that_cannot_be_written_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache directory would go", "utf-8")
    monkeypatch.setenv("FTPREP_CACHE_DIR", str(blocked))
    train_rows, valid_rows, leaks = make(100, 20, 5, seed=5)
    train = write_jsonl(tmp_path / "train.jsonl", train_rows)
    valid = write_jsonl(tmp_path / "valid.jsonl", valid_rows)
    report = api.lint(train, valid=valid, select=["DP003", "LG"])
    assert {d.record for d in report.diagnostics if d.code == "DP003"} == set(leaks)


def test_cached_and_computed_signatures_agree() -> None:
    from ftprep.core.comparable import normalize

    forms = [normalize(t) for t in ["Where is my parcel?", "", "我的包裹在哪里", "ok then", "!?"]]
    store = similarity.SignatureCache()
    present, rows, fresh = similarity.sign_forms(forms, None, store)
    assert present.tolist() == [0, 2, 3] and len(fresh) == 3
    store.put_many(fresh)
    again, cached, none_new = similarity.sign_forms(forms, None, store)
    assert again.tolist() == present.tolist() and not none_new
    assert (cached == rows).all()
    assert (
        rows == similarity.signatures([similarity.shingle_hashes(forms[i]) for i in (0, 2, 3)])
    ).all()
    # Another shingle kind is another key: nothing is read for it.
    _, _, fresh_words = similarity.sign_forms(forms, True, store)
    assert len(fresh_words) == 3


def test_undetermined_texts() -> None:
    assert language.detect_raw("12345 67890 1111") == ("und", 0.0)
    assert language.detect_raw("https://example.com/very/long/path/with/words") == ("und", 0.0)
    assert language.detect_raw("Short one.") == ("und", 0.0)
    lang, prob = language.detect_raw("Das ist ein ganz normaler deutscher Satz über das Wetter.")
    assert lang == "de" and prob > 0.9


def test_api_split_keeps_rejected_records_in_memory(tmp_path: Path) -> None:
    data = tmp_path / "all.jsonl"
    rows = [
        {"prompt": f"Question {i}: {'abc' * i} ->", "completion": f" Answer {i}.\n"}
        for i in range(20)
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in rows) + "{not json\n", "utf-8")
    parts = api.split(str(data), seed=1)
    assert parts.read == len(parts.train) + len(parts.valid) + parts.rejected == 21
    (entry,) = parts.rejected_records
    assert entry["source"]["line"] == 21 and entry["reasons"][0]["code"] == "IO002"
