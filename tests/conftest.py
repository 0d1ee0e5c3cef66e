"""Shared test helpers: paths, and a runner for the CLI that captures output and exit code."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from .corpus_mappings import CORPUS

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
INPUTS = FIXTURES / "inputs"
__all__ = ["CORPUS", "FIXTURES", "INPUTS", "ROOT"]

# fixtures/inputs/tickets.csv read as chat, the way several tests read it.
TICKETS_AS_CHAT = (
    "fixtures/inputs/tickets.csv",
    "--to",
    "chat",
    "--map",
    "user=body",
    "--map",
    "assistant=reply",
)


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(*args: str, stdin: bytes | None = None) -> CliResult:
    """Run ``ftprep`` in-process (fast); stdin is fed as bytes when given."""
    from ftprep.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> object:
    return run_cli


@pytest.fixture(autouse=True)
def _single_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run inline unless a test asks for workers; the parallel path has its own test."""
    monkeypatch.setenv("FTPREP_WORKERS", os.environ.get("FTPREP_TEST_WORKERS", "1"))


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Language detections are cached on disk: never in the checkout, never across tests."""
    monkeypatch.setenv("FTPREP_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
