"""Closing lines of the human formats."""

from __future__ import annotations

from ftprep.report.data import ReportData, summary_kind
from ftprep.report.location import printable


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def footer(report: ReportData) -> str:
    s = report.summary()
    lines = []
    if report.fixed is not None:
        f = report.fixed
        by_code = ", ".join(f"{code} ×{n:,}" for code, n in f.get("by_code", {}).items())
        lines.append(
            f"Applied {_count(f['applied'], 'edit')}"
            + (f" ({by_code})" if by_code else "")
            + f"; read {f['read']:,} = written "
            f"{f['written']:,} + rejected {f['rejected']:,}"
            + (f" (rejected records in {f['rejected_path']})" if f.get("rejected_path") else "")
        )
        if not f["applied"] and f.get("changed"):
            lines.append("  no edits, but the file's bytes changed: every line now ends with LF")
        passes = f.get("passes") or []
        if len(passes) > 1:
            lines.append(
                "  "
                + "; ".join(
                    f"pass {i}: {_count(sum(p.values()), 'edit')} "
                    f"({', '.join(f'{c} ×{n:,}' for c, n in p.items())})"
                    for i, p in enumerate(passes, start=1)
                )
                + "; the later passes fix what the earlier edits revealed"
            )
        if f.get("previous_rejected"):
            lines.append(
                f"  the earlier run's rejected records are kept in {f['previous_rejected']}"
            )
        v = f.get("valid")
        if v:
            lines.append(
                f"Validation file {v['output']}: read {v['read']:,} = written {v['written']:,} "
                f"+ rejected {v['rejected']:,}"
                + (f" (rejected records in {v['rejected_path']})" if v.get("rejected_path") else "")
            )
            if v.get("previous_rejected"):
                lines.append(
                    f"  the earlier run's rejected records are kept in {v['previous_rejected']}"
                )
        if f.get("not_converged"):
            lines.append(
                f"Fixes did not converge after {f.get('iterations', 0)} passes for: "
                + ", ".join(f["not_converged"])
            )
    if s["problems"] == 0:
        lines.append("All checks passed!")
    else:
        parts = [_count(s["errors"], "error"), _count(s["warnings"], "warning")]
        if s["info"]:
            parts.append(f"{s['info']:,} info")
        line = f"Found {_count(s['problems'], 'problem')} ({', '.join(parts)})"
        if s["fixable"]:
            line += f", {s['fixable']:,} fixable with --fix"
        if s["unsafe_fixable"]:
            line += f" ({s['unsafe_fixable']:,} more with --unsafe-fixes)"
        lines.append(line + ".")
    return "\n".join(lines) + "\n"


def statistics_table(report: ReportData) -> str:
    rows = report.statistics_rows()
    if not rows:
        return ""
    width = max(len(f"{n:,}") for n, *_ in rows)
    out = ["", "Statistics:"]
    for n, code, name, fixable in rows:
        out.append(f"{n:>{width},}  {code}  [{'*' if fixable else ' '}] {name}")
    return "\n".join(out) + "\n\n"


# What the text report calls the summaries other than the token summary.
OTHER_SUMMARIES = {"classes": "Classes", "languages": "Languages"}


def token_summaries(report: ReportData) -> str:
    out = []
    for d in report.summaries:
        s = d.data or {}
        kind = summary_kind(d)
        if kind != "tokens":  # the other summaries are one line each
            title = OTHER_SUMMARIES.get(kind or "", d.name)
            out.append(f"\n{title} in {printable(d.file)}: {printable(d.message)}")
            continue
        out.append(f"\nTokens in {d.file} ({s['encoding']} for {s['model']}):")
        out.append(f"  examples        {s['examples']:>14,}")
        out.append(
            f"  tokens          {s['tokens']:>14,}   per example: min {s['min']:,}, "
            f"median {s['median']:,}, p95 {s['p95']:,}, max {s['max']:,}"
        )
        out.append(f"  trained tokens  {s['trained_tokens']:>14,}")
        out.append(
            f"  billed tokens   {s['billed_tokens']:>14,} × {s['epochs']} epochs = "
            f"{s['billed_tokens_total']:,}"
        )
        if s.get("roles"):
            total = sum(v["tokens"] for v in s["roles"].values()) or 1
            shares = [f"{printable(r)} {v['tokens'] / total:.0%}" for r, v in s["roles"].items()]
            out.append(f"  tokens by role  {', '.join(shares[:6])}")
            conversations = sum(n for _, n in s["turns"]) or 1
            common = sorted(s["turns"], key=lambda tn: (-tn[1], tn[0]))[:4]
            turns = [f"{t} turns {n / conversations:.0%}" for t, n in common]
            out.append(f"  conversations   {conversations:>14,}   {', '.join(turns)}")
        if s.get("estimated_cost_usd") is not None:
            out.append(
                f"  estimated cost  {'$' + format(s['estimated_cost_usd'], ',.2f'):>14}   "
                f"at ${s['price_per_million']:.2f}/1M tokens (price read {s['price_read']})"
            )
    return ("\n".join(out) + "\n\n") if out else "\n"
