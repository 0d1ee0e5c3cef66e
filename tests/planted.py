"""Synthetic chat data with planted leaks, shared by the leak tests and the benchmark.

Records share one long system prompt and a formulaic answer style ("Thanks for reaching
out! ..."), so that a detector comparing whole records, or the style alone, would flag
unrelated pairs. Leaks are copies of training records, edited the ways people copy data.
"""

from __future__ import annotations

import random
from typing import Any

SYSTEM = (
    "You are the support assistant of ACME Home Appliances. Answer politely and concisely, "
    "follow the returns policy, never promise refunds you cannot authorise, and offer to "
    "escalate to a human agent when the customer asks for one. " * 3
)
_VOCABULARY = (
    "kettle toaster blender fridge oven heater fan dryer washer filter lid cable plug socket "
    "button screen timer light noise smell leak crack warranty receipt invoice refund parcel "
    "courier address order account password manual repair engineer visit morning evening "
    "weekend monday tuesday cold hot slow fast broken loose stuck blinking red green blue "
    "water steam descale clean replace reset update install return exchange deliver collect"
)
WORDS = _VOCABULARY.split()
EDITS = ("exact", "swap", "drop", "repunctuate", "lowercase", "swap2", "drop2")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def record(rng: random.Random) -> dict[str, Any]:
    question = " ".join(sentence(rng, rng.randint(8, 14)) for _ in range(rng.randint(2, 3)))
    answer = "Thanks for reaching out! " + " ".join(
        sentence(rng, rng.randint(10, 16)) for _ in range(rng.randint(3, 5))
    )
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer + " Is there anything else I can help with?"},
        ]
    }


def edit(rng: random.Random, text: str, how: str) -> str:
    words = text.split(" ")
    if how in ("swap", "swap2"):
        for _ in range(1 if how == "swap" else 2):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
    elif how in ("drop", "drop2"):
        for _ in range(1 if how == "drop" else 2):
            del words[rng.randrange(len(words))]
    elif how == "repunctuate":
        return text.replace(".", "!").replace(",", ";").replace("Thanks", "Thanks,")
    elif how == "lowercase":
        return text.lower()
    return " ".join(words)


def leaked(rng: random.Random, source: dict[str, Any], how: str) -> dict[str, Any]:
    copy = {"messages": [dict(m) for m in source["messages"]]}
    if how == "exact":
        return copy
    target = copy["messages"][rng.choice((1, 2))]
    target["content"] = edit(rng, target["content"], how)
    return copy


def make(
    n_train: int, n_valid: int, n_leaks: int, seed: int = 7
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, int]]:
    """Train and validation records, and {validation index: train index} of each leak."""
    rng = random.Random(seed)
    train = [record(rng) for _ in range(n_train)]
    valid = [record(rng) for _ in range(n_valid - n_leaks)]
    leaks: dict[int, int] = {}
    for k in range(n_leaks):
        source = rng.randrange(n_train)
        position = rng.randrange(len(valid) + 1)
        valid.insert(position, leaked(rng, train[source], EDITS[k % len(EDITS)]))
        leaks = {(i + 1 if i >= position else i): t for i, t in leaks.items()}
        leaks[position] = source
    return train, valid, leaks
