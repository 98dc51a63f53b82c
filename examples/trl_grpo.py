"""GRPO on CaseOps with TRL, end to end on a CPU, with nothing downloaded.

The model is a tiny Qwen3 built from a config with random weights and a byte-level BPE
tokenizer trained here on CaseOps' own task text, with TRL's Qwen3 chat template (so TRL
can render the tools and parse tool calls). It learns nothing useful: the point is the
plumbing (dataset from ``prompts()``, tools and reward from ``CaseOpsToolEnv``, GRPO
updates). For real training swap in a pretrained instruct model (``--model Qwen/Qwen3-0.6B``).

    uv sync --extra train
    .venv/bin/python examples/trl_grpo.py --steps 2

Prints the time taken and the reward of the last logged step.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

SPECIAL = [
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
]


def tiny_tokenizer(corpus: list[str]) -> Any:
    """A byte-level BPE tokenizer (4,000 tokens) trained on ``corpus``, with Qwen3's
    special tokens and TRL's Qwen3 chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast
    from trl.chat_template_utils import qwen3_chat_template

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=4000,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
        chat_template=qwen3_chat_template,
    )


def tiny_model(vocab_size: int) -> Any:
    """A two-layer Qwen3 with random weights (about 0.6 M parameters)."""
    from transformers import AutoModelForCausalLM, Qwen3Config

    config = Qwen3Config(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=8192,
        tie_word_embeddings=True,
    )
    return AutoModelForCausalLM.from_config(config)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None, help="A pretrained model id (default: tiny).")
    parser.add_argument("--split", default="train")
    parser.add_argument("--tasks", type=int, default=8, help="Tasks in the dataset.")
    parser.add_argument("--steps", type=int, default=2, help="GRPO steps.")
    parser.add_argument("--out", default="build/trl_grpo", help="Output directory.")
    args = parser.parse_args()

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from caseops.api.tools import CaseTools
    from caseops.integrations.trl import SYSTEM_PROMPT, CaseOpsToolEnv, prompts

    started = time.perf_counter()
    dataset = prompts(args.split, limit=args.tasks)
    if args.model:
        tokenizer = AutoTokenizer.from_pretrained(args.model, padding_side="left")
        model = AutoModelForCausalLM.from_pretrained(args.model)
    else:
        from caseops.cases.catalog import list_scenarios

        corpus = [SYSTEM_PROMPT, *(m.__doc__ or "" for m in vars(CaseTools).values())]
        for s in list_scenarios(args.split, 0, 200):
            corpus += [s.title, s.objective, s.ticket.customer_message]
        tokenizer = tiny_tokenizer(corpus)
        model = tiny_model(len(tokenizer))

    config = GRPOConfig(
        output_dir=str(Path(args.out)),
        max_steps=args.steps,
        per_device_train_batch_size=2,
        num_generations=2,
        max_completion_length=48,
        max_tool_calling_iterations=2,
        learning_rate=1e-4,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        use_cpu=True,
        bf16=False,
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        args=config,
        train_dataset=dataset,
        environment_factory=CaseOpsToolEnv,
    )
    trainer.train()
    logged = [h for h in trainer.state.log_history if "reward" in h]
    final = logged[-1]["reward"] if logged else float("nan")
    wall = time.perf_counter() - started
    print(f"steps {trainer.state.global_step}; time {wall:.1f} s; final reward {final:.3f}")


if __name__ == "__main__":
    main()
