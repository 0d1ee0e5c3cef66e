"""One conversation as a trainer sees it: rendered by the chat template, masked, truncated.

The masks follow the trainer (``TrainerFacts.loss``):

- ``all``: every token is trained;
- ``generation``: transformers' own assistant mask from the template's
  ``{% generation %}`` markers, as TRL asks for it (``return_assistant_tokens_mask``);
- ``assistant-spans``: the tokens of each trained assistant message's text in the rendered
  row, found by their character offsets, and the end-of-turn token after it when the
  trainer trains it (what Axolotl, LLaMA-Factory and mistral-finetune do themselves).

Whether the template loses content is checked on a second rendering where each message's
text is a unique sentinel: each must appear once, in order. That answer depends on the
conversation's shape, not its words, so it is computed once per shape.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from typing import Any

from ftprep.core.rendering import Rendering, TemplateFacts, TrainerFacts
from ftprep.trainers.hf import sentinel

_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_REASONING_KEYS = ("reasoning_content", "thinking", "reasoning")


class HFRenderer:
    """Renders chat records with one Hugging Face tokenizer for one trainer."""

    def __init__(self, tokenizer: Any, trainer: TrainerFacts, template: TemplateFacts) -> None:
        self.tokenizer = tokenizer
        self.trainer = trainer
        self.template = template
        self._losses: dict[tuple[Any, ...], tuple[tuple[int, str], ...]] = {}
        self.eos_id = tokenizer.eos_token_id
        self.bos_id = tokenizer.bos_token_id

    def render(self, data: dict[str, Any], keep_text: bool = False) -> Rendering:
        messages = data.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            return Rendering(0, None, None, error="no list of messages to render")
        tools = data.get("tools") if isinstance(data.get("tools"), list) else None
        tok = self.tokenizer
        try:
            text = str(tok.apply_chat_template(messages, tools=tools, tokenize=False))
        except Exception as exc:  # the template's raise_exception, or data it cannot take
            return Rendering(0, None, None, error=_reason(exc))
        encoded = tok(
            text,
            add_special_tokens=self.trainer.adds_special_tokens,
            return_offsets_mapping=True,
        )
        ids: list[int] = encoded["input_ids"]
        offsets: list[tuple[int, int]] = encoded["offset_mapping"]
        spans = _message_spans(text, messages)
        self._locate_turns(text, messages, tools, spans)
        loss = self.trainer.loss
        mask: list[int] | None
        if loss == "all":
            mask = [1] * len(ids)
        elif loss == "generation":
            mask = self._generation_mask(messages, tools, ids)
        else:
            mask = self._span_mask(messages, spans, ids, offsets)
        owner = _owners(offsets, spans)
        n = len(ids)
        trainer = self.trainer
        limit = trainer.max_length
        kept = (
            range(n)
            if n <= limit
            else (range(n - limit, n) if trainer.truncation == "keep-end" else range(limit))
        )
        trained = kept_trained = None
        cut: tuple[tuple[int, int], ...] = ()
        if mask is not None:
            trained = sum(mask)
            if trainer.truncation == "drop" and n > limit:
                kept_trained = 0
            else:
                kept_trained = sum(mask[i] for i in kept)
            if n > limit and trainer.truncation != "drop":
                lost = Counter(
                    owner[i] for i in range(n) if mask[i] and not (kept.start <= i < kept.stop)
                )
                cut = tuple(sorted(lost.items()))
        return Rendering(
            n_tokens=n,
            trained=trained,
            kept_trained=kept_trained,
            cut=cut,
            dropped_over_length=trainer.truncation == "drop" and n > limit,
            missing=self._lost_content(messages, tools),
            eos_trained=self._eos_trained(messages, spans, ids, offsets, mask),
            double_bos=self.bos_id is not None and ids[:2] == [self.bos_id, self.bos_id],
            text=text if keep_text else "",
            pieces=_pieces(tok, text, ids, offsets, mask) if keep_text else (),
        )

    def _locate_turns(
        self,
        text: str,
        messages: list[dict[str, Any]],
        tools: list[Any] | None,
        spans: list[tuple[int, int] | None],
    ) -> None:
        """Where an assistant turn with no text of its own (tool calls) is: the text its
        rendering adds to the conversation before it, as Axolotl finds turns."""
        for i, message in enumerate(messages):
            if spans[i] is not None or message.get("role") != "assistant" or i == 0:
                continue
            if not message.get("tool_calls"):
                continue
            try:
                before = str(
                    self.tokenizer.apply_chat_template(
                        messages[:i], tools=tools, tokenize=False, add_generation_prompt=True
                    )
                )
                through = str(
                    self.tokenizer.apply_chat_template(
                        messages[: i + 1], tools=tools, tokenize=False
                    )
                )
            except Exception:
                continue
            if text.startswith(through) and through.startswith(before):
                body = through[len(before) :].rstrip()
                eos = self.tokenizer.eos_token
                if eos and body.endswith(eos):  # the end of turn is trains_eos's to train
                    body = body[: -len(eos)].rstrip()
                if body:
                    spans[i] = (len(before), len(before) + len(body))

    def _generation_mask(
        self, messages: list[dict[str, Any]], tools: list[Any] | None, ids: list[int]
    ) -> list[int] | None:
        if not self.template.has_generation_markers:
            return None  # TR003 reports it once for the file
        out = self.tokenizer.apply_chat_template(
            messages,
            tools=tools,
            tokenize=True,
            return_dict=True,
            return_assistant_tokens_mask=True,
        )
        mask = list(out["assistant_masks"])
        return mask if len(mask) == len(ids) else mask[: len(ids)] + [0] * (len(ids) - len(mask))

    def _span_mask(
        self,
        messages: list[dict[str, Any]],
        spans: list[tuple[int, int] | None],
        ids: list[int],
        offsets: list[tuple[int, int]],
    ) -> list[int]:
        mask = [0] * len(ids)
        starts = [s for s, _ in offsets]
        for message, span in zip(messages, spans, strict=True):
            if span is None or message.get("role") != "assistant" or message.get("weight") == 0:
                continue
            lo, hi = span
            i = max(0, bisect_right(starts, lo) - 1)
            while i < len(ids) and offsets[i][0] < hi:
                if offsets[i][1] > lo:
                    mask[i] = 1
                i += 1
            if self.trainer.trains_eos:
                eos = _next_eos(ids, offsets, hi, self.eos_id)
                if eos is not None:
                    mask[eos] = 1
        return mask

    def _eos_trained(
        self,
        messages: list[dict[str, Any]],
        spans: list[tuple[int, int] | None],
        ids: list[int],
        offsets: list[tuple[int, int]],
        mask: list[int] | None,
    ) -> bool | None:
        """Whether the end-of-sequence token after the last trained reply is trained."""
        if mask is None or self.eos_id is None:
            return None
        last = None
        for message, span in zip(messages, spans, strict=True):
            trained = message.get("role") == "assistant" and message.get("weight") != 0
            if span is not None and trained:
                last = span
        if last is None:
            return None
        eos = _next_eos(ids, offsets, last[1], self.eos_id)
        return eos is not None and bool(mask[eos])

    def _lost_content(
        self, messages: list[dict[str, Any]], tools: list[Any] | None
    ) -> tuple[tuple[int, str], ...]:
        shape = tuple(_shape(m) for m in messages)
        known = self._losses.get(shape)
        if known is not None:
            return known
        marked, expected = _with_sentinels(messages)
        try:
            text = str(self.tokenizer.apply_chat_template(marked, tools=tools, tokenize=False))
        except Exception:
            lost: tuple[tuple[int, str], ...] = ()
        else:
            found = []
            cursor = 0
            for i, part, mark in expected:
                at = text.find(mark, cursor)
                if at < 0 or text.count(mark) != 1:
                    found.append((i, part))
                else:
                    cursor = at + len(mark)
            lost = tuple(found)
        if len(self._losses) < 10_000:
            self._losses[shape] = lost
        return lost


def _reason(exc: Exception) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}".strip()


def _message_spans(text: str, messages: list[dict[str, Any]]) -> list[tuple[int, int] | None]:
    """Where each message's text is in the rendered row, searching in order."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for message in messages:
        content = message.get("content")
        if isinstance(content, str) and content.strip():
            # The whole text, or the answer alone when the template drops the reasoning.
            bodies = [content.strip()]
            if _THINK_CLOSE in content:
                bodies.append(content.rsplit(_THINK_CLOSE, 1)[1].strip())
            for body in bodies:
                at = text.find(body, cursor) if body else -1
                if at >= 0:
                    spans.append((at, at + len(body)))
                    cursor = at + len(body)
                    break
            else:
                spans.append(None)
            continue
        spans.append(None)
    return spans


def _owners(offsets: list[tuple[int, int]], spans: list[tuple[int, int] | None]) -> list[int]:
    """The message each token belongs to: the last message starting at or before it."""
    starts = [(s[0], i) for i, s in enumerate(spans) if s is not None]
    keys = [s for s, _ in starts]
    owners = []
    for lo, _ in offsets:
        at = bisect_right(keys, lo) - 1
        owners.append(starts[at][1] if at >= 0 else -1)
    return owners


def _next_eos(
    ids: list[int], offsets: list[tuple[int, int]], after: int, eos: int | None
) -> int | None:
    """The end-of-sequence token that closes a reply ending at character ``after``: the
    first one after it, if no other text comes between (only markup, whitespace)."""
    if eos is None:
        return None
    for i in range(bisect_right([s for s, _ in offsets], after - 1), len(ids)):
        if ids[i] == eos:
            return i
        if offsets[i][0] >= after + 64:  # farther than any end-of-turn markup
            return None
    return None


def _shape(message: dict[str, Any]) -> tuple[Any, ...]:
    content = message.get("content")
    text = content if isinstance(content, str) else ""
    return (
        message.get("role"),
        type(content).__name__,
        bool(text.strip()),
        _THINK_OPEN in text and _THINK_CLOSE in text,
        tuple(k for k in _REASONING_KEYS if isinstance(message.get(k), str) and message[k]),
        bool(message.get("tool_calls")),
    )


def _with_sentinels(
    messages: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[tuple[int, str, str]]]:
    """The conversation with each text replaced by a sentinel, and the sentinels expected."""
    marked = []
    expected: list[tuple[int, str, str]] = []
    for i, message in enumerate(messages):
        copy = dict(message)
        content = message.get("content")
        if isinstance(content, str) and content.strip():
            if _THINK_OPEN in content and _THINK_CLOSE in content:
                reasoning, answer = sentinel(i, "R"), sentinel(i)
                copy["content"] = f"{_THINK_OPEN}{reasoning}{_THINK_CLOSE}{answer}"
                expected += [(i, "reasoning", reasoning), (i, "content", answer)]
            else:
                copy["content"] = sentinel(i)
                expected.append((i, "content", sentinel(i)))
        for key in _REASONING_KEYS:
            if isinstance(message.get(key), str) and message[key].strip():
                copy[key] = sentinel(i, "R")
                expected.append((i, "reasoning", sentinel(i, "R")))
        marked.append(copy)
    return marked, expected


def _pieces(
    tokenizer: Any,
    text: str,
    ids: list[int],
    offsets: list[tuple[int, int]],
    mask: list[int] | None,
) -> tuple[tuple[str, bool], ...]:
    out = []
    for i, (lo, hi) in enumerate(offsets):
        piece = text[lo:hi] if hi > lo else str(tokenizer.convert_ids_to_tokens(ids[i]))
        out.append((piece, bool(mask[i]) if mask is not None else False))
    return tuple(out)
