"""The HTML report: one self-contained file, the same bytes for the same input.

Built from the same :class:`ReportData` as every other format (no second lint): the
readiness checklist from the findings and the rules that ran, plots from the summaries'
aggregates, duplicate clusters and the leak table from findings with related records and
their excerpts. Whatever the dataset's size, the file holds aggregates and capped lists
(``EXAMPLES`` findings a rule, ``ROWS`` a table), so it stays a few hundred kB.
"""

from __future__ import annotations

import difflib
import html
import re
from collections import Counter, defaultdict
from typing import TextIO

from ftprep.core.diagnostic import Diagnostic
from ftprep.report import html_profile, plots
from ftprep.report.data import ReportData
from ftprep.report.location import detail, where

_WORDS = re.compile(r"\S+|\s+")
EXAMPLES = 10  # findings listed per rule
ROWS = 50  # rows per duplicate or leak table

_CSS = """
:root{--ink:#1d2330;--muted:#5f6b7a;--line:#dde2ea;--bad:#c0392b;--warn:#b9770e;--ok:#1e8449}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#f6f7f9}
main{max-width:1080px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:14px;margin:18px 0 6px}
.muted{color:var(--muted)}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:14px 0}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}
.state{white-space:nowrap}
td,li,p,code{overflow-wrap:anywhere}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:var(--ok);font-weight:600}.fail{color:var(--bad);font-weight:600}
.warn{color:var(--warn);font-weight:600}.skip{color:var(--muted)}
.plot svg{width:100%;height:auto;max-width:760px}
pre{white-space:pre-wrap;word-break:break-word;margin:0;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace}
mark{background:#fde2a7;padding:0 1px}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f0f2f5;padding:0 3px;border-radius:3px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}
@media (max-width:700px){.pair{grid-template-columns:1fr}.rules{display:none}main{padding:12px 8px}section{padding:10px}}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def render(report: ReportData, stream: TextIO) -> None:
    stream.write(build(report))


def build(report: ReportData) -> str:
    parts = [
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>ftprep report: {_e(', '.join(f['file'] for f in report.files))}</title>\n",
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n",
        _header(report),
        _checklist(report),
        _tokens(report),
        html_profile.conversations(report),
        html_profile.classes(report),
        html_profile.languages(report),
        _duplicates(report),
        _leaks(report),
        _findings(report),
        _costs(report),
        "</main>\n</body>\n</html>\n",
    ]
    return "".join(parts)


def _header(report: ReportData) -> str:
    s = report.summary()
    rows = "".join(
        f"<tr><td>{_e(f['file'])}</td><td>{_e(f.get('split', ''))}</td>"
        f"<td class=num>{f['records']:,}</td><td>{_e(f['layout'] or 'could not be read')}</td>"
        f"<td>{_e(f.get('model', ''))}</td></tr>"
        for f in report.files
    )
    verdict = (
        '<span class="pass">All checks passed</span>'
        if not s["problems"]
        else f'<span class="{"fail" if s["errors"] else "warn"}">{s["problems"]:,} problems</span>'
        f" ({s['errors']:,} errors, {s['warnings']:,} warnings, {s['info']:,} info; "
        f"{s['fixable']:,} fixable with <code>ftprep lint --fix</code>)"
    )
    return (
        f"<h1>ftprep report</h1>\n<p class=muted>ftprep {_e(report.tool_version)}</p>\n"
        f"<section id=summary><p>{verdict}</p><div class=scroll><table>"
        "<tr><th>file</th><th>split</th><th class=num>records</th><th>read as</th>"
        f"<th>model</th></tr>{rows}</table></div></section>\n"
    )


def _group_of(report: ReportData, code: str) -> str:
    return report.rules.get(code, {}).get("group", "other")


def _checklist(report: ReportData) -> str:
    """Each rule group: passed, failed (with counts by severity) or not checked."""
    ran: dict[str, set[str]] = {}
    for code in {*report.checked, *(d.code for d in report.diagnostics)}:
        ran.setdefault(_group_of(report, code), set()).add(code)
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for d in report.problems:
        found[_group_of(report, d.code)][d.severity.value] += 1
    rows = []
    for group in sorted(ran):
        counts = found.get(group, Counter())
        if counts.get("error"):
            state = '<span class="fail">✗ fail</span>'
        elif counts.get("warning"):
            state = '<span class="warn">! warnings</span>'
        else:
            state = '<span class="pass">✓ pass</span>'
        summary = ", ".join(
            f"{counts[s]:,} {s}{'' if counts[s] == 1 or s == 'info' else 's'}"
            for s in ("error", "warning", "info")
            if counts[s]
        )
        link = f'<a href="#group-{_e(group)}">{summary}</a>' if summary else "no findings"
        rules = ", ".join(sorted(ran[group]))
        rows.append(
            f"<tr><td class=state>{state}</td><td>{_e(group)}</td><td>{link}</td>"
            f'<td class="muted rules">{_e(rules)}</td></tr>'
        )
    return (
        "<h2 id=checklist>Readiness checklist</h2>\n<section><div class=scroll><table>"
        "<tr><th>state</th><th>rule group</th><th>findings</th><th class=rules>rules run</th></tr>"
        + "".join(rows)
        + "</table></div></section>\n"
    )


def _token_summaries(report: ReportData) -> list[Diagnostic]:
    return report.summaries_of("tokens")


def _tokens(report: ReportData) -> str:
    summaries = [d for d in _token_summaries(report) if d.data and d.data.get("examples")]
    if not summaries:
        return ""
    series = [
        (html_profile.split_of(report, d.file), (d.data or {})["histogram"]) for d in summaries
    ]
    first = summaries[0].data or {}
    notes = []
    for d in summaries:
        s = d.data or {}
        over = s["histogram"]["over_limit"]
        notes.append(
            f"<li>{_e(d.file)}: min {s['min']:,}, median {s['median']:,}, p95 {s['p95']:,}, "
            f"max {s['max']:,} tokens"
            + (
                f'; <span class="fail">{over:,} over the limit of {s["histogram"]["limit"]:,}</span>'
                if over
                else f"; all within the limit of {s['histogram']['limit']:,}"
            )
            + "</li>"
        )
    svg = plots.token_histogram(series)
    return (
        "<h2 id=tokens>Token lengths</h2>\n<section>"
        f"<p class=muted>Tokens per example ({_e(first['encoding'])} for {_e(first['model'])}), "
        "as a share of each split, with the model's per-example limit.</p>"
        f'<div class="plot" id="plot-tokens">{svg}</div><ul>{"".join(notes)}</ul></section>\n'
    )


def _excerpt(report: ReportData, file: str, record: int | None) -> str:
    if record is None:
        return '<span class="muted">(no text)</span>'
    text = report.excerpts.get((file, record))
    return f"<pre>{_e(text)}</pre>" if text is not None else '<span class="muted">(not read)</span>'


def _grouped(report: ReportData) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """Findings with related records: within one file (duplicates) and across (leaks)."""
    within: list[Diagnostic] = []
    across: list[Diagnostic] = []
    for d in report.problems:
        if not d.related:
            continue
        (across if d.related[0].file != d.file else within).append(d)
    return within, across


def _duplicates(report: ReportData) -> str:
    within, _ = _grouped(report)
    if not within:
        return ""
    clusters: dict[tuple[str, str, int | None], list[Diagnostic]] = defaultdict(list)
    for d in within:
        first = d.related[0]
        clusters[(d.code, d.file, first.record)].append(d)
    rows = []
    for (code, file, record), members in list(clusters.items())[:ROWS]:
        first = members[0].related[0]
        copies = ", ".join(
            f"{m.line}"
            + (f" ({m.related[0].similarity:.2f})" if m.related[0].similarity is not None else "")
            for m in members[:20]
        )
        more = f" and {len(members) - 20:,} more" if len(members) > 20 else ""
        rows.append(
            f"<tr><td><code>{_e(code)}</code></td><td>{_e(file)}:{first.line}</td>"
            f"<td>{_e(copies)}{more}</td><td>{_excerpt(report, file, record)}</td></tr>"
        )
    hidden = len(clusters) - len(rows)
    return (
        "<h2 id=duplicates>Duplicate and near-duplicate clusters</h2>\n<section>"
        f"<p>{len(clusters):,} clusters, {len(within):,} extra copies"
        + (f"; the first {ROWS} shown" if hidden > 0 else "")
        + ".</p><div class=scroll><table><tr><th>rule</th><th>first copy</th>"
        "<th>copies at lines (similarity)</th><th>text</th></tr>"
        + "".join(rows)
        + "</table></div></section>\n"
    )


def _marked(text: str, other: str) -> str:
    """``text`` with the words that ``other`` lacks marked (the leak's differences)."""
    words, theirs = _WORDS.findall(text), _WORDS.findall(other)
    out = []
    matcher = difflib.SequenceMatcher(a=words, b=theirs, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        for word in words[i1:i2]:
            out.append(_e(word) if tag == "equal" or word.isspace() else f"<mark>{_e(word)}</mark>")
    return "".join(out)


def _leaks(report: ReportData) -> str:
    _, across = _grouped(report)
    if not across:
        return ""
    rows = []
    for d in across[:ROWS]:
        twin = d.related[0]
        mine = report.excerpts.get((d.file, d.record)) if d.record is not None else None
        theirs = report.excerpts.get((twin.file, twin.record)) if twin.record is not None else None
        if mine is not None and theirs is not None:
            left, right = (
                f"<pre>{_marked(mine, theirs)}</pre>",
                f"<pre>{_marked(theirs, mine)}</pre>",
            )
        else:
            left, right = (
                _excerpt(report, d.file, d.record),
                _excerpt(report, twin.file, twin.record),
            )
        sim = f"{twin.similarity:.2f}" if twin.similarity is not None else "1.00"
        rows.append(
            f"<tr><td>{_e(d.file)}:{d.line}<br>{left}</td>"
            f"<td>{_e(twin.file)}:{twin.line}<br>{right}</td><td class=num>{sim}</td></tr>"
        )
    return (
        "<h2 id=leaks>Leaks between splits</h2>\n<section>"
        f"<p>{len(across):,} records also in another split"
        + (f"; the first {ROWS} shown" if len(across) > ROWS else "")
        + "; words that differ are marked.</p><div class=scroll><table>"
        "<tr><th>record</th><th>its twin</th><th class=num>similarity</th></tr>"
        + "".join(rows)
        + "</table></div></section>\n"
    )


def _findings(report: ReportData) -> str:
    by_code: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in report.problems:
        by_code[d.code].append(d)
    if not by_code:
        return (
            '<h2 id=findings>Findings</h2>\n<section><p class="pass">No findings.</p></section>\n'
        )
    order = sorted(by_code, key=lambda c: (-len(by_code[c]), c))
    chart = plots.findings_per_rule(
        [(code, len(by_code[code]), by_code[code][0].severity.value) for code in order]
    )
    blocks = []
    anchored: set[str] = set()
    for code in sorted(by_code, key=lambda c: (_group_of(report, c), c)):
        group = _group_of(report, code)
        anchor = ""
        if group not in anchored:
            anchored.add(group)
            anchor = f' id="group-{_e(group)}"'
        found = by_code[code]
        first = found[0]
        meta = report.rules.get(code, {})
        items = "".join(_finding_row(d) for d in found[:EXAMPLES])
        more = (
            f"<p class=muted>{len(found) - EXAMPLES:,} more in "
            "<code>ftprep lint --show-all</code> or <code>--output-format json</code>.</p>"
            if len(found) > EXAMPLES
            else ""
        )
        blocks.append(
            f'<h3{anchor}><span id="rule-{_e(code)}"></span><code>{_e(code)}</code> '
            f"{_e(first.name)} <span class=muted>({_e(group)}, {first.severity.value}, "
            f"{len(found):,})</span></h3>"
            + (f"<p class=muted>{_e(meta['summary'])}</p>" if meta.get("summary") else "")
            + "<div class=scroll><table><tr><th>where</th><th>finding</th><th>fix</th></tr>"
            + items
            + f"</table></div>{more}"
        )
    return (
        "<h2 id=findings>Findings per rule</h2>\n<section>"
        f'<div class="plot" id="plot-findings">{chart}</div>{"".join(blocks)}</section>\n'
    )


def _finding_row(d: Diagnostic) -> str:
    info = detail(d)
    fix = _e(d.fix.title) if d.fix is not None else ""
    return (
        f"<tr><td>{_e(where(d))}"
        + (f"<br><code>{_e(info)}</code>" if info else "")
        + f"</td><td>{_e(d.message)}</td><td>{fix}</td></tr>"
    )


def _costs(report: ReportData) -> str:
    rows = []
    for d in _token_summaries(report):
        s = d.data or {}
        cost = (
            f"${s['estimated_cost_usd']:,.2f} at ${s['price_per_million']:.2f}/1M tokens "
            f"(price read {_e(s['price_read'])})"
            if s.get("estimated_cost_usd") is not None
            else "no price for this model"
        )
        rows.append(
            f"<tr><td>{_e(d.file)}</td><td class=num>{s['examples']:,}</td>"
            f"<td class=num>{s['tokens']:,}</td><td class=num>{s['trained_tokens']:,}</td>"
            f"<td class=num>{s['billed_tokens']:,} × {s['epochs']}</td><td>{cost}</td></tr>"
        )
    if not rows:
        return ""
    return (
        "<h2 id=cost>Tokens and cost</h2>\n<section><div class=scroll><table>"
        "<tr><th>file</th><th class=num>examples</th><th class=num>tokens</th>"
        "<th class=num>trained</th><th class=num>billed × epochs</th><th>estimated cost</th></tr>"
        + "".join(rows)
        + "</table></div></section>\n"
    )
