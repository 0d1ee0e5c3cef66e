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
