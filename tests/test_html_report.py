"""The HTML report (`ftprep report`) and the terminal histogram of the text report.

The report is checked as a file (self-contained, deterministic, the sections and texts a
reader needs) and in a real browser: Debian's headless Chromium driven by Playwright, with
every request that is not the file itself refused, so a report that reached for the
network would show it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ftprep.report.data import ReportData
from ftprep.report.histogram import bars
from ftprep.report.text_format import render as render_text

from .conftest import ROOT, run_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Elements whose content spills out of them (and is not inside a scrolling box), innermost
# last, to say what makes the page too wide.
WIDER_THAN_WINDOW = """
[...document.querySelectorAll('body *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && !e.closest('.scroll')
    && getComputedStyle(e).overflowX === 'visible')
  .slice(-3)
  .map(e => e.tagName + ': ' + e.textContent.slice(0, 60))
"""

QUESTIONS = [
    "How do I reset my password on the mobile app?",
    "Where can I download last month's invoice as a PDF?",
    "Can I change the email address on my account?",
    "Why was my card declined when I paid for the annual plan?",
    "How long does a refund take to reach my bank account?",
    "Is there a way to export all my projects at once?",
    "What happens to my files when my trial ends?",
    "How do I invite a colleague to my workspace?",
    "Can I pay by bank transfer instead of card?",
    "How do I turn on two-factor authentication?",
    "Where do I find the API key for my account?",
    "Why does the app log me out every morning?",
]


def chat(question: str, answer: str) -> str:
    messages = [
        {"role": "system", "content": "You are the support assistant of Acme Cloud."},
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ]
    return json.dumps({"messages": messages})


@pytest.fixture
def dataset(tmp_path: Path) -> tuple[Path, Path]:
    """Training data with an exact duplicate and an over-long example; validation data with
    a record that leaks from training with one word changed."""
    lines = [
        chat(q, f"Here is how: open Settings and follow the steps for item {i}.")
        for i, q in enumerate(QUESTIONS)
    ]
    lines.append(lines[3])  # an exact duplicate of line 4
    lines.append(chat("Summarise this log.", "word " * 17_000))  # over babbage-002's 16,384
    train = tmp_path / "train.jsonl"
    train.write_text("\n".join(lines) + "\n", encoding="utf-8")
    leak = chat(
        QUESTIONS[5].replace("export", "download"),
        "Here is how: open Settings and follow the steps for item 5.",
    )
    valid = tmp_path / "valid.jsonl"
    valid.write_text(
        "\n".join([leak, chat("Do you offer student discounts?", "Yes, 40% with a school email.")])
        + "\n",
        encoding="utf-8",
    )
    return train, valid


def build(dataset: tuple[Path, Path], out: Path, *extra: str) -> str:
    train, valid = dataset
    result = run_cli(
        "report",
        str(train),
        "--valid",
        str(valid),
        "--model",
        "babbage-002",
        "-o",
        str(out),
        "--no-progress",
        *extra,
    )
    assert result.code == 0, result.err
    assert f"Wrote the report to {out}" in result.err
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained_and_has_every_section(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    page = build(dataset, tmp_path / "report.html")
    # Nothing fetched: no external script, style, font or image.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script" not in page and "<link" not in page and "@import" not in page
    sections = ("checklist", "tokens", "conversations", "languages", "duplicates", "leaks")
    for section in (*sections, "findings", "cost"):
        assert f"id={section}" in page, section
    # Three inline SVG plots: the token lengths (with the limit), tokens per role and turns,
    # and findings per rule; the languages were not detected (LG is off by default).
    assert page.count("<svg") == 3
    assert "Languages were not detected: add <code>--extend-select LG</code>" in page
    assert 'id="plot-classes"' not in page  # open conversations are not classification
    assert "limit 16,384" in page  # babbage-002's limit is within the plotted range
    assert "1 over the limit of 16,384" in page
    # The duplicate cluster shows its text; the leak its twin, with the changed word marked.
    assert "Why was my card declined" in page
    assert "<mark>download</mark>" in page and "<mark>export</mark>" in page
    # The checklist links a failing group to its findings.
    assert '<a href="#group-duplicates">' in page and 'id="group-duplicates"' in page
    assert "price read" in page


def test_two_builds_are_byte_identical(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    first = build(dataset, tmp_path / "a.html")
    second = build(dataset, tmp_path / "b.html")
    assert first == second


def test_report_without_matplotlib_says_which_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from ftprep.cli import main\n"
        f"sys.exit(main(['report', {str(ROOT / 'fixtures/demo/train.jsonl')!r}, "
        f"'-o', {str(tmp_path / 'r.html')!r}]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert "pip install 'ftprep[report]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_unwritable_output_is_a_clear_error(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    train, _ = dataset
    result = run_cli(
        "report", str(train), "-o", str(tmp_path / "no/such/dir/r.html"), "--no-progress"
    )
    assert result.code == 2
    # Checked before the lint, by the check every command's outputs go through.
    assert "report: -o" in result.err and "does not exist" in result.err
    assert "Traceback" not in result.err


def test_the_report_never_overwrites_an_input(dataset: tuple[Path, Path]) -> None:
    train, valid = dataset
    before = valid.read_bytes()
    result = run_cli("report", str(train), "--valid", str(valid), "-o", str(valid))
    assert result.code == 2
    assert "are the same file" in result.err
    assert valid.read_bytes() == before


def test_browser_renders_every_plot_offline(dataset: tuple[Path, Path], tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("FTPREP_REQUIRE_CORPUS"):  # set by .ci/run, which installs it
            pytest.fail("Chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    page_path = tmp_path / "report.html"
    build(dataset, page_path, "--extend-select", "LG")
    url = page_path.as_uri()
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            for name, width in (("laptop", 1366), ("narrow", 390)):
                context = browser.new_context(viewport={"width": width, "height": 900})
                context.set_offline(True)
                page = context.new_page()
                errors: list[str] = []
                refused: list[str] = []
                page.on(
                    "console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None
                )
                page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))

                def route(r, refused=refused, url=url):  # type: ignore[no-untyped-def]
                    if r.request.url == url:
                        return r.continue_()
                    refused.append(r.request.url)
                    return r.abort()

                page.route("**/*", route)
                page.goto(url)
                assert errors == [], errors
                assert refused == [], refused
                plots = page.locator(".plot svg")
                assert plots.count() == 4  # tokens, conversations, languages, findings
                for i in range(plots.count()):
                    box = plots.nth(i).bounding_box()
                    assert box is not None and box["width"] > 200 and box["height"] > 80
                    # Drawn: the SVG holds paths and text, not an empty frame.
                    assert plots.nth(i).locator("path").count() > 5
                    assert plots.nth(i).locator("text").count() > 3
                # Nothing wider than the window: wide tables scroll inside their box.
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                wide = page.evaluate(WIDER_THAN_WINDOW)
                assert overflow <= 0, f"{name}: the page is {overflow}px too wide: {wide}"
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
                assert (shots / f"{name}.png").stat().st_size > 10_000
                context.close()
        finally:
            browser.close()


# -- the terminal histogram -------------------------------------------------------------
def _summary_report(terminal: bool) -> ReportData:
    from ftprep.core.diagnostic import Diagnostic, Severity

    data = {
        "examples": 6,
        "tokens": 900,
        "min": 10,
        "median": 100,
        "p95": 400,
        "max": 400,
        "trained_tokens": 500,
        "billed_tokens": 800,
        "epochs": 3,
        "billed_tokens_total": 2400,
        "model": "m",
        "encoding": "cl100k_base",
        "price_per_million": None,
        "price_read": "",
        "estimated_cost_usd": None,
        "estimate": False,
        "histogram": {
            "step": 50,
            "counts": [2, 1, 0, 2, 0, 0, 0, 1],
            "limit": 300,
            "over_limit": 1,
        },
    }
    d = Diagnostic(
        "TK004", "token-summary", Severity.INFO, "summary", "train.jsonl", data=data, summary=True
    )
    return ReportData(diagnostics=[d], terminal=terminal)


def test_terminal_histogram_marks_the_limit() -> None:
    out = io.StringIO()
    render_text(_summary_report(terminal=True), out)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "Token lengths in train.jsonl:" in text
    line = next(x for x in text.splitlines() if x.startswith("  length"))
    assert "█" in line and "│" in line  # the tallest bar, and the limit between bars
    assert "1 over the limit of 300" in line
    assert "\x1b[" in out.getvalue()  # coloured: bars over the limit in red


def test_plain_output_has_no_histogram() -> None:
    out = io.StringIO()
    render_text(_summary_report(terminal=False), out)
    assert "Token lengths" not in out.getvalue() and "█" not in out.getvalue()


def test_bars_keep_a_lone_outlier_visible() -> None:
    assert bars([1000, 0, 1]) == "█ ▁"
    assert bars([0, 0]) == "  "


def test_token_summary_histogram_counts_every_example(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    rows = [chat(q, "Yes. " * (i * 40 + 1)) for i, q in enumerate(QUESTIONS)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = json.loads(run_cli("lint", str(path), "--output-format", "json").out)
    (summary,) = [d for d in report["diagnostics"] if d["code"] == "TK004"]
    shape = summary["data"]["histogram"]
    assert sum(shape["counts"]) == summary["data"]["examples"] == len(QUESTIONS)
    assert shape["over_limit"] == 0
    # The longest example falls in the last bar.
    assert (len(shape["counts"]) - 1) * shape["step"] <= summary["data"]["max"]


def test_an_unreadable_input_fails_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run_cli("report", str(tmp_path / "missing.jsonl"), "-o", str(out), "--no-progress")
    assert result.code == 1
    assert "could not be read" in out.read_text(encoding="utf-8")


def test_conversations_are_profiled_per_role_and_turns(
    dataset: tuple[Path, Path], tmp_path: Path
) -> None:
    train, _ = dataset
    report = json.loads(run_cli("lint", str(train), "--output-format", "json").out)
    (summary,) = [d["data"] for d in report["diagnostics"] if d["code"] == "TK004"]
    # 14 conversations of a system prompt, a question and an answer: two turns each.
    assert summary["turns"] == [[2, 14]]
    tokens = [v["tokens"] for v in summary["roles"].values()]
    assert tokens == sorted(tokens, reverse=True)  # most tokens first
    assert {r: v["messages"] for r, v in summary["roles"].items()} == {
        "assistant": 14,
        "system": 14,
        "user": 14,
    }
    # Every token of a message is in its role: the roles add up to the conversations'
    # tokens less OpenAI's 3 priming tokens of each reply.
    role_tokens = sum(v["tokens"] for v in summary["roles"].values())
    assert role_tokens == summary["tokens"] - 3 * 14
    page = build(dataset, tmp_path / "report.html")
    assert "tokens per role" in page and "turns per conversation" in page
    assert "<td>system</td><td class=num>14</td>" in page


def test_roles_past_the_cap_and_broken_roles_are_counted_together(tmp_path: Path) -> None:
    from ftprep.rules.tokens.token_summary import MAX_ROLES, OTHER_ROLES

    lines = [
        json.dumps(
            {
                "messages": [
                    {"role": f"role{i}", "content": "Hello there"},
                    {"role": "assistant", "content": "Hi"},
                ]
            }
        )
        for i in range(MAX_ROLES + 5)
    ]
    lines.append(json.dumps({"messages": [{"content": "no role"}, "not a message"]}))
    path = tmp_path / "roles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = json.loads(run_cli("lint", str(path), "--output-format", "json").out)
    (summary,) = [d["data"] for d in report["diagnostics"] if d["code"] == "TK004"]
    roles = summary["roles"]
    assert len(roles) == MAX_ROLES + 1 and OTHER_ROLES in roles
    assert sum(v["messages"] for v in roles.values()) == 2 * (MAX_ROLES + 5) + 2
    assert sum(v["tokens"] for v in roles.values()) == summary["tokens"] - 3 * len(lines)


def _classification(path: Path, counts: dict[str, int]) -> Path:
    lines = [
        json.dumps(
            {"prompt": f"Ticket {label} {i}: please look at this ->", "completion": f" {label}"}
        )
        for label, n in counts.items()
        for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classes_train_beside_validation(tmp_path: Path) -> None:
    train = _classification(tmp_path / "train.jsonl", {"billing": 30, "refund": 20, "login": 10})
    valid = _classification(tmp_path / "valid.jsonl", {"billing": 6, "refund": 4})
    out = tmp_path / "report.html"
    result = run_cli("report", str(train), "--valid", str(valid), "-o", str(out), "--no-progress")
    assert result.code == 0, result.err
    page = out.read_text(encoding="utf-8")
    assert 'id="plot-classes"' in page
    assert "Classes (3 in train, 2 in valid)" in page
    # Each class with its count and share in each split; one missing from valid is marked.
    assert (
        '<tr><td>billing</td><td class="num">30 (50.0%)</td><td class="num">6 (60.0%)</td>' in page
    )
    assert (
        '<tr><td>login</td><td class="num">10 (16.7%)</td><td class="num fail">0 (0.0%)</td>'
        in page
    )
    # The text report has the same summary on one line.
    text = run_cli("lint", str(train), "--valid", str(valid)).out
    assert (
        "Classes in " in text and "3 classes in 60 examples; largest `billing` 30 (50.0%)" in text
    )


ENGLISH = [
    "How do I reset the password for my online banking account today?",
    "My order arrived damaged and I would like a replacement as soon as possible.",
    "Can you explain how the warranty covers accidental damage to the screen?",
    "I was charged twice for the same subscription this month, please help.",
]
ANSWER = "Open the settings page, choose security, then follow the link we email you."


def test_languages_per_side_and_split(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    spanish = "¿Dónde está mi pedido? Lo necesito para mañana por la mañana, por favor."
    train.write_text(
        "\n".join(chat(q, ANSWER) for q in [*ENGLISH, spanish]) + "\n", encoding="utf-8"
    )
    out = tmp_path / "report.html"
    args = ("report", str(train), "--extend-select", "LG", "-o", str(out), "--no-progress")
    assert run_cli(*args).code == 0
    page = out.read_text(encoding="utf-8")
    assert 'id="plot-languages"' in page and "question side" in page and "answer side" in page
    report = json.loads(
        run_cli("lint", str(train), "--extend-select", "LG", "--output-format", "json").out
    )
    (summary,) = [d["data"] for d in report["diagnostics"] if d["code"] == "LG003"]
    assert summary["question"]["languages"] == {"en": 4, "es": 1}
    assert summary["answer"]["languages"] == {"en": 5}
