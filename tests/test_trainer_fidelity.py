"""What the trainer will train on (``--tokenizer``): ftprep's renderings and masks against
what ``transformers`` itself renders and masks, truncation, the CLI, offline loading and
the clear errors for what is missing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ftprep import api
from ftprep.core.errors import ConfigError
from ftprep.core.rendering import Rendering
from ftprep.trainers import setup
from ftprep.trainers.setup import _setup

from .conftest import FIXTURES, ROOT, run_cli
from .tokenizer_kit import folder

CHAT = FIXTURES / "trainer" / "chat.jsonl"
SNAPSHOTS = Path(__file__).parent / "__snapshots__" / "render"


def records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CHAT.read_text(encoding="utf-8").splitlines()]


def trained_text(rendering: Rendering) -> str:
    return "".join(piece for piece, trained in rendering.pieces if trained)


def hf_tokenizer(name: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder(name), local_files_only=True)


@pytest.mark.parametrize("index", range(5))
def test_the_generation_mask_is_the_one_transformers_gives_trl(index: int) -> None:
    """TRL's assistant-only loss: the same token ids and the same mask, token by token."""
    data = records()[index]
    rendering = setup(folder("chatml-generation"), "trl", loss="generation").renderer.render(
        data, keep_text=True
    )
    theirs = hf_tokenizer("chatml-generation").apply_chat_template(
        data["messages"], tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    assert rendering.n_tokens == len(theirs["input_ids"])
    assert [t for _, t in rendering.pieces] == [bool(m) for m in theirs["assistant_masks"]]
    assert rendering.trained == sum(theirs["assistant_masks"]) > 0


def test_assistant_spans_train_each_trained_reply_and_its_stop_token() -> None:
    """Axolotl's roles_to_train=[assistant], train_on_eos=turn: the replies (weight 0 left
    out) and the <|im_end|> after each, nothing of the prompts."""
    renderer = setup(folder("chatml-plain"), "axolotl").renderer
    for data in records():
        rendering = renderer.render(data, keep_text=True)
        expected = "".join(
            m["content"] + "<|im_end|>"
            for m in data["messages"]
            if m["role"] == "assistant" and m.get("weight") != 0
        )
        assert trained_text(rendering) == expected
        assert rendering.text == hf_tokenizer("chatml-plain").apply_chat_template(
            data["messages"], tokenize=False
        )


def test_trls_default_loss_trains_every_token() -> None:
    rendering = setup(folder("chatml-plain"), "trl").renderer.render(records()[2])
    assert rendering.trained == rendering.n_tokens > 0


@pytest.mark.parametrize("side", ["keep-start", "keep-end"])
def test_truncation_keeps_the_side_the_trainer_keeps(side: str) -> None:
    from ftprep.trainers.profiles import load_trainer
    from ftprep.trainers.render import HFRenderer

    full = setup(folder("chatml-generation"), "trl", loss="generation")
    data = records()[4]
    mask = [t for _, t in full.renderer.render(data, keep_text=True).pieces]
    limit = 20
    facts = load_trainer("trl", max_length=limit, loss="generation", truncation=side)
    renderer = HFRenderer(full.renderer.tokenizer, facts, full.template)  # type: ignore[attr-defined]
    rendering = renderer.render(data)
    kept = mask[:limit] if side == "keep-start" else mask[-limit:]
    assert rendering.kept_trained == sum(kept)
    assert sum(n for _, n in rendering.cut) == sum(mask) - sum(kept) > 0
    assert all(i == 1 for i, _ in rendering.cut)  # the reply is message 1


def test_template_facts() -> None:
    assert setup(folder("chatml-generation")).template.has_generation_markers
    assert not setup(folder("chatml-plain")).template.has_generation_markers
    facts = setup(folder("default-system")).template
    assert facts.added_without_system == "You are Quill, a helpful assistant made by Example Corp."
    assert facts.added_with_system == ""
    assert "Today Date: 26 Jul 2024" in setup(folder("dated")).template.added_with_system
    assert setup(folder("chatml-plain")).template.pad_is_eos is False


def test_lint_with_a_tokenizer_from_the_command_line() -> None:
    result = run_cli(
        "lint", str(CHAT), "--tokenizer", folder("drops-reasoning"), "--trainer", "axolotl",
        "--max-length", "60", "--select", "TR", "--isolated", "--output-format", "json",
    )  # fmt: skip
    report = json.loads(result.out)
    found = sorted((d["code"], d["line"]) for d in report["diagnostics"])
    # Line 3: the only reply has weight 0; line 4: the first reply's reasoning is not
    # rendered; lines 4 and 5 are over 60 tokens, and Axolotl drops rows over its length.
    assert found == [("TR001", 3), ("TR002", 4), ("TR002", 5), ("TR004", 4)], result.out
    assert result.code == 1


def test_the_same_findings_on_both_cores(tmp_path: Path) -> None:
    """Rendering is costly, so the engine uses both cores from 256 kB: the tokenizer
    travels to the workers and the findings are the same as on one core."""
    lines = CHAT.read_text(encoding="utf-8").splitlines()
    big = tmp_path / "big.jsonl"
    big.write_text("\n".join(lines * 400) + "\n", encoding="utf-8")
    assert big.stat().st_size > 256 * 1024
    options = {"tokenizer": folder("drops-reasoning"), "trainer": "axolotl", "max_length": 60}
    one = api.lint(str(big), select=["TR"], workers=1, isolated=True, **options)
    two = api.lint(str(big), select=["TR"], workers=2, isolated=True, **options)
    assert len(one.diagnostics) == 4 * 400
    assert [d.as_dict() for d in one.diagnostics] == [d.as_dict() for d in two.diagnostics]


def test_render_snapshot() -> None:
    """`ftprep render` off a terminal: trained tokens between [[ and ]], the cut marked."""
    outputs = {
        "axolotl-line4": run_cli(
            "render",
            str(CHAT.relative_to(ROOT)),
            "--line",
            "4",
            "--tokenizer",
            folder("drops-reasoning"),
            "--trainer",
            "axolotl",
            "--isolated",
        ),
        "trl-generation-cut": run_cli(
            "render",
            str(CHAT.relative_to(ROOT)),
            "--line",
            "5",
            "--tokenizer",
            folder("chatml-generation"),
            "--loss",
            "generation",
            "--max-length",
            "30",
            "--isolated",
        ),
    }
    for name, result in outputs.items():
        assert result.code == 0, result.err
        path = SNAPSHOTS / f"{name}.txt"
        if os.environ.get("FTPREP_UPDATE_SNAPSHOTS"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(result.out, encoding="utf-8")
        assert result.out == path.read_text(encoding="utf-8"), name
    # The first reply's reasoning is not rendered; its answer is still trained.
    assert "[[A fox jumps over a sleeping dog.<|im_end|>]]" in outputs["axolotl-line4"].out
    assert (
        "[[<think>The cat sleeps.</think>The cat sleeps.<|im_end|>]]"
        in outputs["axolotl-line4"].out
    )
    assert "max length 30: what follows is cut" in outputs["trl-generation-cut"].out


def test_render_says_what_is_wrong() -> None:
    missing = run_cli(
        "render", str(CHAT), "--line", "99", "--tokenizer", folder("chatml-plain"), "--isolated"
    )
    assert missing.code == 2 and "no record starts on line 99" in missing.err
    refused = run_cli(
        "render", str(CHAT), "--line", "1", "--tokenizer", folder("no-system"), "--isolated"
    )
    assert "refuses this conversation: TemplateError: System role not supported" in refused.out


def test_clear_errors_for_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"no such folder.*never downloads"):
        setup(str(tmp_path / "Qwen2.5-7B-Instruct"))
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "config.json").write_text("{}")
    with pytest.raises(ConfigError, match=r"tokenizer\.json is missing \(found: config\.json\)"):
        setup(str(empty))
    no_template = tmp_path / "no-template"
    no_template.mkdir()
    source = Path(folder("chatml-plain"))
    (no_template / "tokenizer.json").write_bytes((source / "tokenizer.json").read_bytes())
    config = json.loads((source / "tokenizer_config.json").read_text())
    del config["chat_template"]
    (no_template / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(ConfigError, match="no chat template"):
        setup(str(no_template))
    with pytest.raises(ConfigError, match=r"unknown trainer 'trll' \(did you mean 'trl'\?\)"):
        setup(folder("chatml-plain"), "trll")
    with pytest.raises(ConfigError, match="mistral-common's tokenizers are not supported yet"):
        setup("mistral:v7")
    _setup.cache_clear()
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if the extra were missing
    with pytest.raises(ConfigError, match=r"pip install 'ftprep\[hf\]'"):
        setup(folder("chatml-plain"))
    _setup.cache_clear()


def test_the_whole_path_runs_offline(tmp_path: Path) -> None:
    """No download and no network: the hub is offline and every proxy a dead port."""
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf-home"),  # an empty cache: nothing to fall back on
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    done = subprocess.run(
        [sys.executable, "-m", "ftprep", "lint", str(CHAT), "--tokenizer",
         folder("chatml-generation"), "--loss", "generation", "--max-length", "30",
         "--select", "TR", "--isolated", "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "TR002" in done.stdout and "TR001" in done.stdout
    assert not (tmp_path / "hf-home").exists() or not any((tmp_path / "hf-home").rglob("*.json"))


def test_without_a_tokenizer_the_trainer_rules_cost_nothing() -> None:
    """The TR rules are in the default selection and idle without --tokenizer."""
    report = api.lint(str(CHAT), isolated=True)
    assert not [d for d in report.diagnostics if d.code.startswith("TR")]


@pytest.mark.parametrize(
    ("name", "trainer", "loss"),
    [
        ("drops-reasoning", "axolotl", None),
        ("chatml-generation", "trl", "generation"),
        ("no-system", "trl", None),
        ("drops-system", "llamafactory", None),
    ],
)
def test_trainer_prefilters_hold_back_no_finding(name: str, trainer: str, loss: str) -> None:
    """Each TR rule finds the same on every rendered record as on those its prefilter lets
    through, and its prefilter rules some records out."""
    from ftprep.core.batch import Batch
    from ftprep.core.config import load_profile, resolve_model
    from ftprep.core.model import Kind, Record
    from ftprep.core.prefilter import select
    from ftprep.core.rule import Rule, RuleContext
    from ftprep.rules import REGISTRY

    trained = setup(folder(name), trainer, max_length=60, loss=loss)  # type: ignore[arg-type]
    records = []
    for i, data in enumerate(records_of_every_shape()):
        record = Record(i, data, i + 1, kind=Kind.CHAT)
        record.rendering = trained.renderer.render(data)
        records.append(record)
    ctx = RuleContext(
        file="t.jsonl",
        split="train",
        profile=load_profile("openai-chat"),
        model=resolve_model("gpt-4.1-mini"),
        kind=Kind.CHAT,
        trainer=trained,
    )
    for code, cls in REGISTRY.items():
        if not cls.needs_rendering or cls.prefilter is Rule.prefilter:
            continue
        rule = cls(cls.Options(), ctx)
        prefilter = rule.prefilter()
        assert prefilter is not None
        every = [(r.index, f.message) for r in records for f in rule.check_record(r)]
        passed = select(Batch(records), prefilter)
        assert len(passed) < len(records), code
        assert [(r.index, f.message) for r in passed for f in rule.check_record(r)] == every


def records_of_every_shape() -> list[dict[str, Any]]:
    """The fixture's conversations, with a system message, cut short and lengthened."""
    base = records()
    out = list(base)
    for data in base:
        messages = data["messages"]
        out.append({"messages": [{"role": "system", "content": "Be brief."}, *messages]})
        out.append({"messages": messages[:1]})
        out.append({"messages": messages * 3})
    return out


def test_a_tool_call_turn_is_trained_as_axolotl_finds_it() -> None:
    """An assistant turn with tool calls and no text: the turn its rendering adds."""
    data = {
        "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": {"city": "Paris"}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny."},
        ]
    }
    rendering = setup(folder("tool-calls"), "axolotl").renderer.render(data, keep_text=True)
    call = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
    assert trained_text(rendering) == f"{call}<|im_end|>Sunny.<|im_end|>"
