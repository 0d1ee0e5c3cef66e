"""What CI and pre-commit rely on: project config, per-file ignores, split pairing that does
not depend on chunking, baselines written by ``--add-baseline``, and SARIF that validates
against the official schema."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import jsonschema
import orjson
import pytest

from tests.conftest import run_cli
from tests.review_data import planted_records, write_planted

# The official SARIF 2.1.0 JSON schema, as Microsoft's SARIF team ships it on the npm
# registry (the test reads it from there once, then from pytest's cache).
SCHEMA_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SCHEMA_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
SCHEMA_SHA256 = "2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8"


@pytest.fixture(scope="session")
def sarif_schema(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> dict:
    cache = getattr(pytestconfig, "cache", None)  # absent under -p no:cacheprovider
    folder = (
        Path(cache.mkdir("sarif-schema"))
        if cache is not None
        else tmp_path_factory.mktemp("sarif-schema")
    )
    cached = folder / "sarif-2.1.0-rtm.5.json"
    if not cached.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed once to fetch the official SARIF schema from its registry"
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(
                [npm, "pack", SCHEMA_PACKAGE, "--pack-destination", tmp, "--silent"],
                capture_output=True,
                text=True,
                check=True,
            )
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as tar:
                member = tar.extractfile(SCHEMA_MEMBER)
                assert member is not None
                data = member.read()
        cached.write_bytes(data)
    data = cached.read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    return orjson.loads(data)


def _codes(out: str) -> list[tuple[str, int, str]]:
    """(file, line or 0, code) of each finding; the token summary (TK004) is not one."""
    return [
        (d["file"], d["line"] or 0, d["code"])
        for d in orjson.loads(out)["diagnostics"]
        if d["code"] != "TK004"
    ]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    write_planted(data / "train.jsonl")
    records = planted_records()
    (data / "valid.jsonl").write_bytes(orjson.dumps(records[3]) + b"\n")  # a leak of line 4
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- configuration --------------------------------------------------------------------------
def test_pyproject_settings_apply_and_flags_add_to_them(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        "[tool.ftprep]\n"
        'ignore = ["SC016"]\n'
        'severity = { WS002 = "error" }\n'
        '[tool.ftprep.per-file-ignores]\n"data/train.jsonl" = ["WS003"]\n'
    )
    r = run_cli("lint", "data/train.jsonl", "--output-format", "json")
    found = _codes(r.out)
    assert {c for _, _, c in found} == {"WS002", "DP001", "SC010", "SC008"}
    assert r.code == 1  # WS002 raised to an error by the config
    r = run_cli("lint", "data/train.jsonl", "--output-format", "json", "--ignore", "WS002")
    assert "WS002" not in {c for _, _, c in _codes(r.out)} and r.code == 0
    r = run_cli("lint", "data/train.jsonl", "--output-format", "json", "--isolated")
    assert {"SC016", "WS003"} <= {c for _, _, c in _codes(r.out)}


def test_ftprep_toml_is_found_from_a_subdirectory_and_wins_over_pyproject(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text('[tool.ftprep]\nignore = ["WS"]\n')
    (project / "ftprep.toml").write_text('select = ["DP001"]\n')
    monkeypatch.chdir(project / "data")
    r = run_cli("lint", "train.jsonl", "--output-format", "json")
    assert {c for _, _, c in _codes(r.out)} == {"DP001"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('selct = ["WS"]\n', "unknown key 'selct'; did you mean 'select'?"),
        ("[splits]\ntrian = 'a.jsonl'\n", "unknown key 'trian'; did you mean 'train'?"),
        ('ignore = ["WS0002"]\n', "did you mean 'WS002'?"),
        ("[rules.TK001]\nmax-tokns = 10\n", "unknown key 'max-tokns'; did you mean 'max-tokens'?"),
        ("[rules.TK001]\nzzz = 10\n", "allowed: max-tokens"),
        ("select = 3\n", "'select' must be a list"),
        ('[per-file-ignores]\n"other/*.csv" = ["WS00Z"]\n', "per-file-ignores 'other/*.csv'"),
    ],
)
def test_config_mistakes_are_errors_with_a_hint(project: Path, config: str, message: str) -> None:
    (project / "ftprep.toml").write_text(config)
    r = run_cli("lint", "data/train.jsonl")
    assert r.code == 2
    assert message in r.err


# -- splits from config, whatever the chunking -------------------------------------------------
def test_splits_pair_train_and_valid_whatever_files_are_passed(project: Path) -> None:
    (project / "ftprep.toml").write_text(
        'ignore = ["SC016"]\n[splits]\ntrain = "data/train.jsonl"\nvalid = "data/valid.jsonl"\n'
    )
    both = _codes(
        run_cli("lint", "data/train.jsonl", "data/valid.jsonl", "--output-format", "json").out
    )
    train_only = _codes(run_cli("lint", "data/train.jsonl", "--output-format", "json").out)
    valid_only = _codes(run_cli("lint", "data/valid.jsonl", "--output-format", "json").out)
    reverse = _codes(
        run_cli("lint", "data/valid.jsonl", "data/train.jsonl", "--output-format", "json").out
    )
    # Each chunking reports every finding once, each file its own: the leak on valid.
    assert sorted(train_only + valid_only) == sorted(both) == sorted(reverse)
    assert ("data/valid.jsonl", 1, "DP003") in valid_only
    assert all(f == "data/train.jsonl" for f, _, _ in train_only)


# -- baselines ----------------------------------------------------------------------------------
def test_add_baseline_then_only_new_findings_are_reported(project: Path) -> None:
    r = run_cli("lint", "data/train.jsonl", "--add-baseline")
    assert r.code == 0 and "Added 9 findings to ftprep-baseline.json" in r.out
    r = run_cli("lint", "data/train.jsonl", "--output-format", "json")
    assert _codes(r.out) == [] and r.code == 0
    with open("data/train.jsonl", "ab") as fh:  # a new problem on a new record
        fh.write(
            b'{"messages": [{"role": "user", "content": "New "}, {"role": "assistant", "content": "Yes"}]}\n'
        )
    r = run_cli("lint", "data/train.jsonl", "--output-format", "json")
    assert _codes(r.out) == [("data/train.jsonl", 13, "WS002")]
    # Fixing line 2 by hand makes its entry stale: lint says so.
    lines = Path("data/train.jsonl").read_bytes().splitlines()
    fixed = orjson.loads(lines[1])
    fixed["messages"][2]["content"] = fixed["messages"][2]["content"].rstrip()
    lines[1] = orjson.dumps(fixed)
    Path("data/train.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    r = run_cli("lint", "data/train.jsonl")
    assert "stale baseline entry" in r.err and "WS002 at /messages/2/content" in r.err
    assert run_cli("lint", "x", "--add-baseline", "--fix").code == 2


# -- output formats -----------------------------------------------------------------------------
def test_sarif_validates_against_the_official_schema(project: Path, sarif_schema: dict) -> None:
    r = run_cli(
        "lint", "data/train.jsonl", "--valid", "data/valid.jsonl", "--output-format", "sarif"
    )
    sarif = orjson.loads(r.out)
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert rules["WS002"]["name"] == "surrounding-whitespace"
    assert rules["WS002"]["help"]["markdown"].startswith("## What it does")
    assert rules["WS002"]["shortDescription"]["text"].endswith(".")
    assert rules["SC010"]["defaultConfiguration"]["level"] == "warning"
    results = {
        (
            res["ruleId"],
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            res["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
        )
        for res in run["results"]
    }
    assert ("WS002", "data/train.jsonl", 2) in results
    assert ("DP003", "data/valid.jsonl", 1) in results
    ws = next(res for res in run["results"] if res["ruleId"] == "WS002")
    assert ws["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/messages/2/content"
    assert run["tool"]["driver"]["rules"][ws["ruleIndex"]]["id"] == "WS002"


def test_github_annotations_name_file_and_line(project: Path) -> None:
    r = run_cli("lint", "data/train.jsonl", "--output-format", "github")
    assert "::notice file=data/train.jsonl,line=2,title=WS002 (surrounding-whitespace)::" in r.out
    assert "::warning file=data/train.jsonl,line=10,title=DP001 (exact-duplicate)::" in r.out


def test_github_is_the_default_under_github_actions(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run_cli("lint", "data/train.jsonl").out.startswith("::")


def test_fail_on_sets_the_exit_code(project: Path) -> None:
    assert run_cli("lint", "data/train.jsonl", "--ignore", "SC016").code == 0
    assert run_cli("lint", "data/train.jsonl", "--ignore", "SC016", "--fail-on", "info").code == 1


def test_fix_in_place_over_mixed_files_lints_tables_without_rewriting_them(project: Path) -> None:
    csv = Path("data/faq.csv")
    csv.write_text("prompt,completion\nHi,Hello\n")
    before = csv.read_bytes()
    r = run_cli("lint", "data/train.jsonl", str(csv), "--fix", "--in-place", "--no-fix-log")
    assert "data/faq.csv: linted, not fixed" in r.err
    assert csv.read_bytes() == before
    assert not Path("data/train.fixlog.jsonl").exists()
    assert b"\xe2\x80\x8b" not in Path("data/train.jsonl").read_bytes()  # WS003 fixed
