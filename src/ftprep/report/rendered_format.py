"""``ftprep render``: one record's rendering, its trained tokens marked.

On a terminal the trained tokens are green and the rest dim; elsewhere (pipes, files,
``--no-color``) trained text sits between ``[[`` and ``]]`` so the output diffs and greps.
Tokens past the maximum length follow a rule line saying they are cut.
"""

from __future__ import annotations

from typing import Any

PLAIN_OPEN, PLAIN_CLOSE = "[[", "]]"


def header(r: Any) -> list[str]:
    """What was rendered with what, and the counts."""
    rendering = r.rendering
    lines = [
        f"{r.file}:{r.line}  tokenizer {r.tokenizer}  {r.trainer} (loss: {r.loss}, "
        f"max length {r.max_length:,}, {r.truncation})"
    ]
    if rendering.error:
        lines.append(f"the chat template refuses this conversation: {rendering.error}")
        return lines
    if rendering.trained is None:
        counts = f"{rendering.n_tokens:,} tokens; no trained tokens can be marked (no {{% generation %}} markers)"
    else:
        share = rendering.trained / rendering.n_tokens if rendering.n_tokens else 0.0
        counts = (
            f"{rendering.n_tokens:,} tokens, {rendering.trained:,} trained ({share:.0%}); "
            f"{rendering.kept_trained:,} trained tokens kept after truncation"
        )
    lines.append(counts)
    for i, part in rendering.missing:
        lines.append(f"not rendered: the {part} of message {i}")
    return lines


def cut_at(r: Any) -> int | None:
    """The index of the first token the trainer cuts, if any."""
    rendering, limit = r.rendering, r.max_length
    if rendering.n_tokens <= limit:
        return None
    if r.truncation == "keep-end":
        return None  # the start is cut instead; marked by cut_before
    return 0 if r.truncation == "drop" else limit


def plain(r: Any) -> str:
    """The rendering as plain text: trained tokens between [[ and ]]."""
    out = [*header(r), ""]
    body: list[str] = []
    cut = cut_at(r)
    start = _cut_before(r)
    inside = False
    for i, (piece, trained) in enumerate(r.rendering.pieces):
        if i == cut or (start and i == start):
            if inside:
                body.append(PLAIN_CLOSE)
                inside = False
            body.append(_rule(r, i))
        if trained and not inside:
            body.append(PLAIN_OPEN)
            inside = True
        elif not trained and inside:
            body.append(PLAIN_CLOSE)
            inside = False
        body.append(piece)
    if inside:
        body.append(PLAIN_CLOSE)
    out.append("".join(body))
    return "\n".join(out) + "\n"


def rich_text(r: Any) -> Any:
    """The rendering as a rich Text: trained tokens green, the rest dim."""
    from rich.text import Text

    text = Text("\n".join(header(r)) + "\n\n")
    cut = cut_at(r)
    start = _cut_before(r)
    for i, (piece, trained) in enumerate(r.rendering.pieces):
        if i == cut or (start and i == start):
            text.append(_rule(r, i), style="bold red")
        text.append(piece, style="bold green" if trained else "dim")
    text.append("\n")
    return text


def _cut_before(r: Any) -> int | None:
    n, limit = int(r.rendering.n_tokens), int(r.max_length)
    return n - limit if r.truncation == "keep-end" and n > limit else None


def _rule(r: Any, i: int) -> str:
    if r.truncation == "drop":
        return f"\n──── over max length {r.max_length:,}: the trainer drops this row ────\n"
    if r.truncation == "keep-end":
        return f"\n──── max length {r.max_length:,}: what comes before is cut ────\n"
    return f"\n──── max length {r.max_length:,}: what follows is cut ────\n"
