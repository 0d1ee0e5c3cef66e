"""The pre-commit hooks, run by the real ``pre-commit`` on real commits in a temporary repo.

The project is copied into a throwaway git repository (so the test does not depend on this
checkout being a git clone), and the data repository's ``.pre-commit-config.yaml`` points at
it by ``file://`` URL and commit, as a user's config points at GitHub.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.conftest import ROOT
from tests.review_data import planted_records

PRE_COMMIT = str(Path(sys.executable).with_name("pre-commit"))


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The project as a git repository: (file:// URL, commit)."""
    repo = tmp_path_factory.mktemp("ftprep-hooks")
    for name in ("src", "rules"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(ROOT / name, repo / name)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "ftprep")
    return repo.as_uri(), git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One PRE_COMMIT_HOME for the module: the hook environment is built once."""
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home"))}


def _data_repo(path: Path, hook_repo: tuple[str, str], hook: str, env: dict[str, str]) -> Path:
    url, rev = hook_repo
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {url}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n"
    )
    (path / "pyproject.toml").write_text(
        '[tool.ftprep]\nfail-on = "info"\nignore = ["SC016"]\n'
        '[tool.ftprep.splits]\ntrain = "data/train.jsonl"\nvalid = "data/valid.jsonl"\n'
    )
    data = path / "data"
    data.mkdir()
    # Lines 1-10 of the planted file: trailing spaces, zero-width spaces and a duplicate,
    # all with safe fixes.
    records = planted_records()[:10]
    (data / "train.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    clean = {
        "messages": [
            {"role": "user", "content": "Is it blue?"},
            {"role": "assistant", "content": "It is white."},
        ]
    }
    (data / "valid.jsonl").write_bytes(orjson.dumps(clean) + b"\n")
    subprocess.run([PRE_COMMIT, "install"], cwd=path, env=env, check=True, capture_output=True)
    git(path, "add", ".")
    return path


def _commit(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-m", "data"],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
    )


def test_lint_hook_blocks_a_bad_commit_with_readable_output(
    tmp_path: Path, hook_repo: tuple[str, str], hook_env: dict[str, str]
) -> None:
    repo = _data_repo(tmp_path / "data-repo", hook_repo, "ftprep-lint", hook_env)
    result = _commit(repo, hook_env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "ftprep lint" in output and "Failed" in output
    assert "data/train.jsonl:2: WS002 [info] text ends with whitespace" in output
    assert "DP001" in output and "Found" in output
    assert git(repo, "rev-list", "--all", check=False).stdout == ""  # nothing committed


def test_fix_hook_fixes_stops_the_commit_and_the_next_commit_passes(
    tmp_path: Path, hook_repo: tuple[str, str], hook_env: dict[str, str]
) -> None:
    repo = _data_repo(tmp_path / "data-repo", hook_repo, "ftprep-fix", hook_env)
    first = _commit(repo, hook_env)
    output = first.stdout + first.stderr
    assert first.returncode != 0, output
    assert "files were modified by this hook" in output
    fixed = [orjson.loads(x) for x in (repo / "data/train.jsonl").read_bytes().splitlines()]
    assert len(fixed) == 9  # the duplicate dropped...
    rejected = (repo / "data/train.rejected.jsonl").read_bytes()
    assert b'"DP001"' in rejected  # ... to its rejected file, not lost
    assert not any(r["messages"][2]["content"].endswith(" ") for r in fixed)
    assert not list((repo / "data").glob("*.fixlog.jsonl"))
    git(repo, "add", "data/train.jsonl")
    second = _commit(repo, hook_env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout + second.stderr


def test_fix_hook_with_tables_and_jsonl_staged_together(
    tmp_path: Path, hook_repo: tuple[str, str], hook_env: dict[str, str]
) -> None:
    """Tables are linted with the mappings of [tool.ftprep.files] and never rewritten; a
    table ftprep cannot read as configured stops only its own check."""
    repo = _data_repo(tmp_path / "data-repo", hook_repo, "ftprep-fix", hook_env)
    with (repo / "pyproject.toml").open("a") as fh:
        fh.write(
            '[tool.ftprep.files."data/faq.csv"]\n'
            'map = { user = "Question", assistant = "Answer" }\nto = "chat"\n'
        )
    faq = "Question,Answer\n" + "".join(f"Question {i}?,Answer {i}.\n" for i in range(12))
    (repo / "data/faq.csv").write_text(faq, encoding="utf-8")
    (repo / "data/other.csv").write_text("a,b\n1,2\n", encoding="utf-8")  # no layout, no map
    git(repo, "add", ".")
    first = _commit(repo, hook_env)
    output = first.stdout + first.stderr
    assert first.returncode != 0, output
    assert "data/faq.csv: linted, not fixed" in output
    assert "data/other.csv: could not recognise the layout" in output
    assert (repo / "data/faq.csv").read_text(encoding="utf-8") == faq  # never rewritten
    fixed = [orjson.loads(x) for x in (repo / "data/train.jsonl").read_bytes().splitlines()]
    assert len(fixed) == 9  # the JSONL beside them was still fixed
    assert "files were modified by this hook" in output


def test_the_readme_hook_snippet_works_as_written(tmp_path: Path, hook_env: dict[str, str]) -> None:
    """The README's `repo: local` snippet, verbatim, in a data repository."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = re.search(r"```yaml\n(repos:\n  - repo: local\n.*?)```", readme, re.S)
    assert snippet is not None, "README has no `repo: local` pre-commit snippet"
    repo = tmp_path / "data-repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".pre-commit-config.yaml").write_text(snippet.group(1))
    (repo / "train.jsonl").write_bytes(b'{"prompt": "a ->", "completion": " b"}\n' * 2)
    env = {**hook_env, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, check=True, capture_output=True)
    git(repo, "add", ".")
    result = _commit(repo, env)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "DP001" in output, output  # a duplicate: blocked
