"""The fixed suite `tito benchmark` runs on the student's own framework, and the script that runs it.

This file has two lives. Imported by tito (``engine/benchmark.py``), it is only the table :data:`SUITE`: each
benchmark's name, what it measures and the modules it needs; nothing of ``tinytorch`` is imported then. Run as a
script in a subprocess whose ``PYTHONPATH`` puts the course first, it builds the benchmarks that were asked for
from the student's ``tinytorch``, times them with the student's own ``tinytorch.bench.run_benchmark`` (module 19),
compares with an earlier report through the student's ``compare_runs``, and writes plain JSON to a file. tito's
own process never imports the student's package: a broken or endless student module cannot hurt it.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

#: The module that provides the harness; without it nothing is measured.
HARNESS_MODULE = "19"


@dataclass(frozen=True)
class Case:
    """One benchmark: ``needs`` are the module numbers whose code it runs (the harness's 19 is always needed)."""

    name: str
    what: str
    needs: tuple[str, ...]


SUITE: tuple[Case, ...] = (
    Case("tensor_matmul", "Tensor @ Tensor, 128x128 float32 (module 01)", ("01",)),
    Case("mlp_forward", "MLP 64-128-10 forward pass, batch of 64 (modules 02, 03)", ("01", "02", "03")),
    Case("mlp_train_step", "MLP forward, cross-entropy, backward and an SGD step, batch of 64 (modules 04-06)",
         ("01", "02", "03", "04", "05", "06")),
    Case("conv2d_forward", "Conv2d 1->16 channels, 3x3, on 32 digit-sized 8x8 images (module 09)",
         ("01", "02", "03", "05", "09")),
    Case("attention_forward", "4-head self-attention, 32 wide, 8 sequences of 16 (module 12)",
         ("01", "02", "03", "05", "12")),
    Case("gpt_train_step", "a 2-layer GPT: forward, loss, backward and an Adam step on 8x16 tokens (module 13)",
         ("01", "02", "03", "04", "05", "06", "11", "12", "13")),
    Case("mlp_forward_int8", "the MLP quantized to int8 by quantize_model, forward pass (module 15)",
         ("01", "02", "03", "05", "14", "15")),
    Case("mlp_forward_fused", "the MLP with Linear+ReLU fused by fuse_linear_relu, forward pass (module 18)",
         ("01", "02", "03", "05", "18")),
)

SEED = 2018


# -- what runs in the subprocess: every import of tinytorch stays inside these functions ---------------------


def _mlp():
    from tinytorch.core.activations import ReLU
    from tinytorch.core.layers import Linear, Sequential

    return Sequential(Linear(64, 128, seed=SEED), ReLU(), Linear(128, 10, seed=SEED + 1))


def _inputs(*shape):
    import numpy as np

    return np.random.default_rng(SEED).standard_normal(shape).astype(np.float32)


def _tensor_matmul():
    from tinytorch.core.tensor import Tensor

    a, b = Tensor(_inputs(128, 128)), Tensor(_inputs(128, 128) + 1)
    return lambda: a.matmul(b)


def _mlp_forward():
    from tinytorch.core.tensor import Tensor

    model, x = _mlp(), Tensor(_inputs(64, 64))
    return lambda: model(x)


def _mlp_train_step():
    import numpy as np

    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.optimizers import SGD
    from tinytorch.core.tensor import Tensor

    model, x = _mlp(), Tensor(_inputs(64, 64))
    y = Tensor(np.arange(64) % 10)
    loss_fn, optimizer = CrossEntropyLoss(), SGD(model.parameters(), lr=0.01)

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def _conv2d_forward():
    from tinytorch.core.autograd import no_grad
    from tinytorch.core.spatial import Conv2d
    from tinytorch.core.tensor import Tensor

    conv, images = Conv2d(1, 16, kernel_size=3, padding=1, seed=SEED), Tensor(_inputs(32, 1, 8, 8))

    def forward():
        with no_grad():
            return conv(images)
    return forward


def _attention_forward():
    from tinytorch.core.attention import MultiHeadAttention
    from tinytorch.core.autograd import no_grad
    from tinytorch.core.tensor import Tensor

    attention, x = MultiHeadAttention(32, 4, seed=SEED), Tensor(_inputs(8, 16, 32))

    def forward():
        with no_grad():
            return attention(x)
    return forward


def _gpt_train_step():
    import numpy as np

    from tinytorch.core.losses import CrossEntropyLoss
    from tinytorch.core.optimizers import Adam
    from tinytorch.core.tensor import Tensor
    from tinytorch.core.transformer import GPT

    vocab = 32
    model = GPT(vocab, 32, 2, 2, 16, seed=SEED)
    ids = np.random.default_rng(SEED).integers(0, vocab, size=(8, 17))
    x, y = ids[:, :-1], Tensor(ids[:, 1:].reshape(-1))
    loss_fn, optimizer = CrossEntropyLoss(), Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        loss_fn(model(x).reshape(-1, vocab), y).backward()
        optimizer.step()
    return step


def _mlp_forward_int8():
    from tinytorch.core.tensor import Tensor
    from tinytorch.perf.quantization import quantize_model

    x = Tensor(_inputs(64, 64))
    model = quantize_model(_mlp(), [Tensor(_inputs(256, 64))])
    return lambda: model(x)


def _mlp_forward_fused():
    from tinytorch.core.autograd import no_grad
    from tinytorch.core.tensor import Tensor
    from tinytorch.perf.acceleration import fuse_linear_relu

    model, x = fuse_linear_relu(_mlp()), Tensor(_inputs(64, 64))

    def forward():
        with no_grad():
            return model(x)
    return forward


#: The function that builds each benchmark: a zero-argument callable to time, from the student's package.
_BUILDERS = {"tensor_matmul": _tensor_matmul, "mlp_forward": _mlp_forward, "mlp_train_step": _mlp_train_step, "conv2d_forward": _conv2d_forward, "attention_forward": _attention_forward, "gpt_train_step": _gpt_train_step, "mlp_forward_int8": _mlp_forward_int8, "mlp_forward_fused": _mlp_forward_fused}


def _build(name: str):
    """The zero-argument function that benchmark ``name`` times, built from the student's package."""
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise ValueError(f"no benchmark named {name!r}") from None
    return builder()


def _main(request_path: str, out_path: str) -> int:
    """Run the request in ``request_path`` ({"names", "repeats", "warmup", "previous"}); write the outcome.

    The outcome: {"report": the suite's report (schema tinytorch.bench/1), "table": format_table's text,
    "failed": {name: error}, "comparison": compare_runs(previous, report) and "changes": format_changes's text
    (both null without a previous report)}. A benchmark that raises is reported as failed; the others run.
    """
    import traceback

    from tinytorch.bench import compare_runs, format_changes, format_table, run_benchmark

    with open(request_path, encoding="utf-8") as file:
        request = json.load(file)
    report, failed = None, {}
    for name in request["names"]:
        print(f"measuring {name} ...", flush=True)
        try:
            one = run_benchmark({name: _build(name)}, warmup=request["warmup"], repeats=request["repeats"])
        except Exception as exc:  # the student's code: report it by name, measure the rest
            failed[name] = f"{type(exc).__name__}: {exc}"
            print(traceback.format_exc(), flush=True)
            continue
        (result,) = one["results"]
        # Benchmarks of different work share no baseline: a speed-up of one over another would mean nothing.
        result.pop("speedup", None)
        result.pop("verdict", None)
        if report is None:
            report = {**one, "baseline": None, "results": []}
        report["results"].append(result)
        print(f"  {name}: median {result['median'] * 1e3:.3f} ms over {result['repeats']} repeats", flush=True)
    outcome = {"report": report, "failed": failed, "table": None, "comparison": None, "changes": None}
    if report is not None:
        outcome["table"] = format_table({**report, "baseline": "none (each row is its own benchmark)"})
        if request.get("previous") is not None:
            outcome["comparison"] = compare_runs(request["previous"], report)
            outcome["changes"] = format_changes(outcome["comparison"])
    with open(out_path, "w", encoding="utf-8", newline="\n") as file:
        json.dump(outcome, file, allow_nan=False)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1], sys.argv[2]))
