"""The files ``ftprep jobs results -o`` writes: the curves as a self-contained HTML page and
a PNG, and the raw result file, each the same bytes for the same results."""

from __future__ import annotations

import html
import os
from typing import Any

from ftprep.upload.results import Metrics


def write_results(
    output: str,
    job: Any,
    metrics: Metrics,
    checkpoints: list[Any],
    found: list[str],
    raw: bytes,
) -> list[str]:
    """Write to a ``.html`` or ``.png`` file, or all three files into a directory."""
    from ftprep.report import plots  # matplotlib, from the `report` extra

    figure = plots.loss_curves(
        metrics.steps, metrics.train_loss, metrics.valid_loss, f"{job.id}: loss by step"
    )
    lower = output.lower()
    if lower.endswith(".png"):
        _write(output, plots.figure_png(figure))
        return [output]
    if lower.endswith((".html", ".htm")):
        _write(output, page(job, metrics, checkpoints, found, plots.figure_svg(figure)).encode())
        return [output]
    os.makedirs(output, exist_ok=True)
    paths = {
        os.path.join(output, f"{job.id}-results.html"): page(
            job, metrics, checkpoints, found, plots.figure_svg(figure)
        ).encode(),
        os.path.join(output, f"{job.id}-loss.png"): plots.figure_png(figure),
        os.path.join(output, f"{job.id}-results.csv"): raw,
    }
    for path, data in paths.items():
        _write(path, data)
    return list(paths)


def _write(path: str, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)


def page(job: Any, metrics: Metrics, checkpoints: list[Any], found: list[str], svg: str) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{c.step:,}</td><td>{e(c.model)}</td>"
        + "".join(
            f"<td>{c.metrics[k]:.4f}</td>" if isinstance(c.metrics.get(k), float) else "<td></td>"
            for k in ("train_loss", "valid_loss", "full_valid_loss")
        )
        + "</tr>"
        for c in checkpoints
    )
    table = (
        "<h2>Checkpoints</h2><table><tr><th>step</th><th>model</th><th>train loss</th>"
        f"<th>valid loss</th><th>full valid loss</th></tr>{rows}</table>"
        if checkpoints
        else ""
    )
    notes = "".join(f'<p class="warn">{e(w)}</p>' for w in found)
    last = metrics.train_loss[-1] if metrics.train_loss else float("nan")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>ftprep: results of {e(job.id)}</title>\n<style>"
        "body{font:14px/1.45 system-ui,sans-serif;max-width:900px;margin:24px auto;padding:0 12px}"
        "svg{width:100%;height:auto}table{border-collapse:collapse}"
        "td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}"
        ".warn{color:#b9770e;font-weight:600}</style>\n</head>\n<body>\n"
        f"<h1>{e(job.id)} {e(job.status)}</h1>"
        f"<p>{e(job.fine_tuned_model or job.model)}: {len(metrics.steps):,} steps, final "
        f"training loss {last:.4f}</p>{notes}<div class=plot>{svg}</div>{table}\n"
        "</body>\n</html>\n"
    )
