"""What every renderer receives: diagnostics, per-file facts and the summary counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.diagnostic import Diagnostic
from ftprep.core.fix import Applicability

REPORT_VERSION = 1


@dataclass
class ReportData:
    diagnostics: list[Diagnostic]
    files: list[dict[str, Any]] = field(default_factory=list)
    statistics: bool = False
    # Human formats: every finding, not a rule's first few in a file where it floods.
    show_all: bool = False
    fixed: dict[str, Any] | None = None
    tool_version: str = ""
    # Rule metadata by code (name, summary, doc, severity, group), for formats that describe
    # rules (SARIF); filled by the front end, since renderers do not import rules.
    rules: dict[str, dict[str, str]] = field(default_factory=dict)
    # The text report draws its histogram only when the CLI writes to a terminal in colour.
    terminal: bool = False
    # Texts of the records that duplicate and leak findings point at, by (file, record index),
    # for the HTML report; read again after the lint, a capped few per rule.
    excerpts: dict[tuple[str, int], str] = field(default_factory=dict)
    # Codes of the rules that ran (the HTML checklist tells passed from not checked).
    checked: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.summary]

    @property
    def summaries(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.summary]

    def summaries_of(self, kind: str) -> list[Diagnostic]:
        """The summaries of one kind (``tokens``, ``classes``, ``languages``), in order."""
        return [d for d in self.summaries if summary_kind(d) == kind]

    def summary(self) -> dict[str, Any]:
        problems = self.problems
        by_severity = Counter(d.severity.value for d in problems)
        safe = sum(1 for d in problems if d.fix and d.fix.applicability is Applicability.SAFE)
        unsafe = sum(1 for d in problems if d.fix and d.fix.applicability is Applicability.UNSAFE)
        return {
            "problems": len(problems),
            "errors": by_severity.get("error", 0),
            "warnings": by_severity.get("warning", 0),
            "info": by_severity.get("info", 0),
            "fixable": safe,
            "unsafe_fixable": unsafe,
            "by_code": dict(sorted(Counter(d.code for d in problems).items())),
        }

    def shown_and_folded(
        self, keep: int = 5, above: int = 10
    ) -> tuple[list[Diagnostic], list[tuple[str, str, str, int, list[Diagnostic]]]]:
        """The problems a human report lists, and the folded rest.

        A rule with more than ``above`` findings in one file shows its first ``keep``; the
        rest are folded into (file, code, name, count, first of them) so that a flood of
        one warning does not bury the others. ``show_all`` folds nothing.
        """
        problems = self.problems
        if self.show_all:
            return problems, []
        counts = Counter((d.file, d.code) for d in problems)
        flooding = {key for key, n in counts.items() if n > above}
        if not flooding:
            return problems, []
        seen: Counter[tuple[str, str]] = Counter()
        shown: list[Diagnostic] = []
        folded: dict[tuple[str, str], list[Diagnostic]] = {}
        for d in problems:
            key = (d.file, d.code)
            if key in flooding and seen[key] >= keep:
                folded.setdefault(key, []).append(d)
                continue
            seen[key] += 1
            shown.append(d)
        return shown, [
            (file, code, rest[0].name, len(rest), rest[:keep])
            for (file, code), rest in sorted(folded.items())
        ]

    def statistics_rows(self) -> list[tuple[int, str, str, bool]]:
        """(count, code, name, fixable) per rule, most frequent first."""
        counts: Counter[str] = Counter()
        names: dict[str, str] = {}
        fixable: dict[str, bool] = {}
        for d in self.problems:
            counts[d.code] += 1
            names[d.code] = d.name
            fixable[d.code] = fixable.get(d.code, False) or bool(
                d.fix and d.fix.applicability is Applicability.SAFE
            )
        return [
            (n, code, names[code], fixable[code])
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


def summary_kind(d: Diagnostic) -> str | None:
    """What a summary is about, told by its data's shape (renderers ask the data, not
    the rule code): the token summary names its encoding, the class distribution holds
    classes, the language summary a question side."""
    data = d.data or {}
    for kind, key in (("tokens", "encoding"), ("classes", "classes"), ("languages", "question")):
        if key in data:
            return kind
    return None
