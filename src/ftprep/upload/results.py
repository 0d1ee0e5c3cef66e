"""A finished job's training results: the metrics file, what it says, and its pictures.

OpenAI writes one CSV result file per job (``step,train_loss,train_accuracy,valid_loss,
valid_mean_token_accuracy``; validation cells are empty on the steps it did not evaluate).
From it ftprep draws the loss curves and flags the two runs a user should not ship without
a look: over-fitting (validation loss rising while training loss falls) and a flat loss
(nothing learnt).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Metrics:
    """The columns of a result file that ftprep reads, by step."""

    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    # (step, value) where the run evaluated on the validation file.
    valid_loss: list[tuple[int, float]] = field(default_factory=list)
    valid_accuracy: list[tuple[int, float]] = field(default_factory=list)


class ResultFileError(ValueError):
    """A result file ftprep cannot read: says which column or row."""


def _number(cell: str | None) -> float | None:
    if cell is None or not cell.strip():
        return None
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_results(data: bytes) -> Metrics:
    text = data.decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    if not {"step", "train_loss"} <= columns:
        raise ResultFileError(
            "the result file has no step and train_loss columns (it has: "
            + (", ".join(sorted(columns)) or "none")
            + ")"
        )
    accuracy = next(
        (c for c in ("train_accuracy", "train_mean_token_accuracy") if c in columns), None
    )
    metrics = Metrics()
    for row in reader:
        step, loss = _number(row.get("step")), _number(row.get("train_loss"))
        if step is None or loss is None:
            continue
        metrics.steps.append(int(step))
        metrics.train_loss.append(loss)
        acc = _number(row.get(accuracy)) if accuracy else None
        metrics.train_accuracy.append(acc if acc is not None else math.nan)
        valid = _number(row.get("valid_loss"))
        if valid is not None:
            metrics.valid_loss.append((int(step), valid))
        valid_acc = _number(row.get("valid_mean_token_accuracy"))
        if valid_acc is not None:
            metrics.valid_accuracy.append((int(step), valid_acc))
    return metrics


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def warnings(metrics: Metrics) -> list[str]:
    """What a careful reader of the curves would point out."""
    out = []
    train = metrics.train_loss
    if len(train) >= 10:
        tenth = max(1, len(train) // 10)
        start, end = _mean(train[:tenth]), _mean(train[-tenth:])
        if start > 0 and abs(start - end) / start < 0.02:
            out.append(
                f"flat loss: the training loss went from {start:.3f} to {end:.3f} "
                "(under 2% change); the model learnt little: check the learning rate, "
                "that the assistant turns are trained (weight), and that the data is not "
                "already what the model says"
            )
    valid = metrics.valid_loss
    if len(valid) >= 4:
        best_at = min(range(len(valid)), key=lambda i: valid[i][1])
        best_step, best = valid[best_at]
        last_step, last = valid[-1]
        train_at = dict(zip(metrics.steps, train, strict=True))
        train_best, train_last = train_at.get(best_step), train_at.get(last_step)
        rising = best_at < len(valid) - 1 and last > best * 1.05
        if rising and train_best is not None and train_last is not None and train_last < train_best:
            out.append(
                f"over-fitting: the validation loss rose from {best:.3f} at step {best_step:,} "
                f"to {last:.3f} at step {last_step:,} while the training loss fell "
                f"({train_best:.3f} to {train_last:.3f}); the checkpoint nearest step "
                f"{best_step:,} is likely the better model, or train fewer epochs"
            )
    return out


def resample(values: list[float], width: int) -> list[float]:
    """At most ``width`` points: the mean of each run of consecutive values."""
    if len(values) <= width:
        return values
    out = []
    for i in range(width):
        chunk = values[i * len(values) // width : (i + 1) * len(values) // width]
        out.append(_mean(chunk))
    return out


def sparkline(values: list[float], width: int = 60) -> str:
    """A curve in block characters, lowest value at the bottom."""
    blocks = "▁▂▃▄▅▆▇█"
    points = [v for v in resample(values, width) if not math.isnan(v)]
    if not points:
        return ""
    low, high = min(points), max(points)
    span = (high - low) or 1.0
    return "".join(blocks[round((v - low) / span * (len(blocks) - 1))] for v in points)


def _trend(values: list[float]) -> str:
    return f"{values[0]:.3f} → {values[-1]:.3f} (min {min(values):.3f})" if values else ""


def summary_lines(
    job: Any, metrics: Metrics, checkpoints: list[Any], found: list[str]
) -> list[str]:
    """What ``ftprep jobs results`` prints: the job, one curve a metric, the checkpoints."""
    steps = metrics.steps
    lines = [
        f"{job.id} {job.status}: {job.fine_tuned_model or job.model}, {len(steps):,} steps"
        + (f", {job.trained_tokens:,} trained tokens" if job.trained_tokens else "")
    ]
    curves: list[tuple[str, list[float]]] = [("training loss", metrics.train_loss)]
    accuracy = [a for a in metrics.train_accuracy if not math.isnan(a)]
    if accuracy:
        curves.append(("training accuracy", accuracy))
    if metrics.valid_loss:
        curves.append(("validation loss", [v for _, v in metrics.valid_loss]))
    if metrics.valid_accuracy:
        curves.append(("validation accuracy", [v for _, v in metrics.valid_accuracy]))
    for name, values in curves:
        lines.append(f"  {name:<20} {sparkline(values):<60}  {_trend(values)}")
    if checkpoints:
        lines.append("Checkpoints:")
        for c in checkpoints:
            shown = ", ".join(
                f"{k} {v:.3f}"
                for k, v in sorted(c.metrics.items())
                if k in ("train_loss", "valid_loss", "full_valid_loss") and isinstance(v, float)
            )
            lines.append(f"  step {c.step:>6,}  {c.model}" + (f"  ({shown})" if shown else ""))
    for warning in found:
        lines.append(f"warning: {warning}")
    return lines
