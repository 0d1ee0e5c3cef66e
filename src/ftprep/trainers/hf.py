"""A local Hugging Face tokenizer folder, loaded offline, and what its chat template does.

``transformers`` is the library the trainers render with (``apply_chat_template``), so
ftprep renders with it too and cannot disagree with them about a template or a mask. It is
imported here only, behind the ``hf`` extra, and never asked to download anything.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from ftprep.core.errors import ConfigError
from ftprep.core.rendering import TemplateFacts

# TRL's own test (trl/chat_template_utils.py: has_generation_markers).
GENERATION_MARKER = re.compile(r"\{%-?\s*generation\s*-?%\}")
_TOKENIZER_FILES = ("tokenizer.json",)
_ROLE_WORDS = re.compile(
    r"\b(system|user|assistant|tool|model|human|developer|ipython)\b", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]{2,}")
_DATE = re.compile(
    r"\b\d{1,2} [A-Z][a-z]{2,8} \d{4}\b|\b\d{4}-\d{2}-\d{2}\b|\b[A-Z][a-z]{2,8} \d{4}\b"
)


def sentinel(i: int, part: str = "") -> str:
    """A text no template changes and no data holds, marking message ``i`` (and a part)."""
    return f"FTPREPSENTINEL{part}{i}X"


def load(folder: str) -> Any:
    """The fast tokenizer of a local folder, with its chat template; never a download."""
    path = Path(folder)
    if not path.is_dir():
        raise ConfigError(
            f"--tokenizer {folder}: no such folder. Give a local model or tokenizer folder "
            "(with tokenizer.json and tokenizer_config.json); ftprep never downloads one"
        )
    have = {p.name for p in path.iterdir()}
    if not any(name in have for name in _TOKENIZER_FILES):
        raise ConfigError(
            f"--tokenizer {folder}: tokenizer.json is missing (found: "
            f"{', '.join(sorted(have)) or 'nothing'}). ftprep needs the fast tokenizer's "
            "tokenizer.json to tell which tokens are trained"
        )
    if not _has_template(path):
        raise ConfigError(
            f"--tokenizer {folder}: no chat template: neither chat_template.jinja nor a "
            "chat_template in tokenizer_config.json. Copy the model's template there"
        )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        from transformers import AutoTokenizer
    except ImportError:
        raise ConfigError(
            "--tokenizer needs the Hugging Face libraries: pip install 'ftprep[hf]'"
        ) from None
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"--tokenizer {folder}: transformers cannot load it: {exc}") from None
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError(
            f"--tokenizer {folder}: loads as a slow tokenizer; ftprep needs tokenizer.json "
            "(a fast tokenizer) to map tokens to the text they come from"
        )
    return tokenizer


def _has_template(path: Path) -> bool:
    if (path / "chat_template.jinja").is_file() or (path / "chat_template.json").is_file():
        return True
    config = path / "tokenizer_config.json"
    if not config.is_file():
        return False
    try:
        return bool(json.loads(config.read_text(encoding="utf-8")).get("chat_template"))
    except (ValueError, AttributeError):
        return False


def template_facts(tokenizer: Any, name: str) -> TemplateFacts:
    """What the template does whatever the data: markers, words it adds, its tokens."""
    template = tokenizer.chat_template
    if isinstance(template, dict):  # several named templates: trainers use "default"
        template = template.get("default") or next(iter(template.values()))
    specials = sorted(
        {str(t) for t in tokenizer.all_special_tokens}
        | {str(t.content) for t in tokenizer.added_tokens_decoder.values()},
        key=len,
        reverse=True,
    )
    bare = [
        {"role": "user", "content": sentinel(0)},
        {"role": "assistant", "content": sentinel(1)},
    ]
    with_system = [{"role": "system", "content": sentinel(2)}, *bare]
    return TemplateFacts(
        name=name,
        has_generation_markers=bool(GENERATION_MARKER.search(str(template or ""))),
        added_without_system=_added_words(tokenizer, bare, specials),
        added_with_system=_added_words(tokenizer, with_system, specials),
        bos_token=tokenizer.bos_token,
        eos_token=tokenizer.eos_token,
        pad_is_eos=tokenizer.pad_token_id is not None
        and tokenizer.pad_token_id == tokenizer.eos_token_id,
        quotes_string_arguments=_quotes_string_arguments(tokenizer),
    )


_ARGUMENTS = '{"city": "Paris"}'
_TOOL_TURN = [
    {"role": "user", "content": "Weather in Paris?"},
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": _ARGUMENTS},
            }
        ],
    },
]


def _quotes_string_arguments(tokenizer: Any) -> bool | None:
    """Whether the template writes string arguments as a JSON string (``"{\"city\"...``)."""
    try:
        text = str(tokenizer.apply_chat_template(_TOOL_TURN, tokenize=False))
    except Exception:
        return None
    if json.dumps(_ARGUMENTS)[1:-1] in text:
        return True
    return False if _ARGUMENTS in text else None


def _added_words(tokenizer: Any, messages: list[dict[str, str]], specials: list[str]) -> str:
    """The lines of natural language the template writes around these messages."""
    try:
        text = tokenizer.apply_chat_template(messages, tokenize=False)
    except Exception:  # a template that refuses this conversation adds nothing to it
        return ""
    text = re.sub(r"FTPREPSENTINEL\d+X", "\n", str(text))
    for special in specials:
        if special:
            text = text.replace(special, "\n")
    found = []
    for line in text.splitlines():
        words = _WORD.findall(_ROLE_WORDS.sub(" ", line))
        if len(words) >= 3 or _DATE.search(line):
            found.append(" ".join(line.split()))
    return " / ".join(found)
