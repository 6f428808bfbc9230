"""Module 16's pruning on the UCI digits, over several seeds: the issue's figure is "50% sparsity with at most one
point lost". For each seed, a fresh held-out split (360 digits) and a freshly trained MLP 64-128-10 (Adam, 15
epochs), then global magnitude pruning to 50% (measured as it is, per layer for comparison, and after one epoch
of fine-tuning with the masks held: the figure) and to 80% and 90% (then 2 epochs of fine-tuning with the masks
held); and a 16-neuron student trained on the labels alone against one distilled from the MLP.

Run: python bench/compression.py [--seeds N]. Prints a row per seed, the worst 50% drops, and a JSON line; exits 1
if any seed loses more than one point at 50% after its epoch of fine-tuning. Accuracies are fractions of the held-out digits, so one point is
0.01 (3.6 digits of 360).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tinytorch.core.activations import ReLU  # noqa: E402
from tinytorch.core.autograd import no_grad  # noqa: E402
from tinytorch.core.dataloader import DataLoader, TensorDataset  # noqa: E402
from tinytorch.core.layers import Linear, Sequential  # noqa: E402
from tinytorch.core.losses import CrossEntropyLoss  # noqa: E402
from tinytorch.core.optimizers import Adam  # noqa: E402
from tinytorch.core.tensor import Tensor  # noqa: E402
from tinytorch.core.training import Trainer, accuracy  # noqa: E402
from tinytorch.perf.compression import MaskedOptimizer, distill, magnitude_prune, sparsity_report  # noqa: E402


def mlp(hidden, seed):
    return Sequential(Linear(64, hidden, seed=seed), ReLU(), Linear(hidden, 10, seed=seed + 1))


def copy_of(model, hidden):
    twin = mlp(hidden, seed=0)
    for mine, theirs in zip(twin.parameters(), model.parameters()):
        mine.data = theirs.data.copy()
    return twin


def one_seed(seed, features, labels):
    order = np.random.default_rng(seed).permutation(len(labels))
    test_idx, train_idx = order[:360], order[360:]
    train = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=32, shuffle=True, seed=seed)

    def score(model):
        with no_grad():
            return accuracy(model(Tensor(features[test_idx])), labels[test_idx])

    teacher = mlp(128, seed)
    Trainer(teacher, Adam(teacher.parameters(), lr=0.003), CrossEntropyLoss()).fit(train, epochs=15)
    row = {"seed": seed, "dense": score(teacher)}
    half = copy_of(teacher, 128)
    pruning = magnitude_prune(half, 0.5)
    row["pruned_50"] = score(half)
    Trainer(half, MaskedOptimizer(Adam(half.parameters(), lr=0.001), pruning), CrossEntropyLoss()).fit(train, epochs=1)
    row["tuned_50"] = score(half)
    per_layer = copy_of(teacher, 128)
    magnitude_prune(per_layer, 0.5, scope="layer")
    row["layer_50"] = score(per_layer)
    for amount in (0.8, 0.9):
        model = copy_of(teacher, 128)
        pruning = magnitude_prune(model, amount)
        row[f"pruned_{round(amount * 100)}"] = score(model)
        Trainer(model, MaskedOptimizer(Adam(model.parameters(), lr=0.001), pruning), CrossEntropyLoss()).fit(
            train, epochs=2)
        assert abs(sparsity_report(model)[-1]["sparsity"] - amount) < 1e-4
        row[f"tuned_{round(amount * 100)}"] = score(model)
    alone = mlp(16, seed + 100)
    Trainer(alone, Adam(alone.parameters(), lr=0.003), CrossEntropyLoss()).fit(train, epochs=10)
    taught = mlp(16, seed + 100)
    distill(taught, teacher, train, Adam(taught.parameters(), lr=0.003), epochs=10, temperature=4.0, alpha=0.7)
    row["student_labels"], row["student_distilled"] = score(alone), score(taught)
    return row


def main(seeds: int) -> int:
    started = time.perf_counter()
    with np.load(REPO / "milestones" / "data" / "digits.npz") as archive:
        features = (archive["images"].reshape(-1, 64) / 16.0).astype(np.float32)
        labels = archive["labels"].astype(np.int64)
    columns = ["dense", "pruned_50", "layer_50", "tuned_50", "pruned_80", "tuned_80", "pruned_90", "tuned_90", "student_labels",
               "student_distilled"]
    print("held-out accuracy on 360 digits; pruned_N: N% of the weights zeroed (global magnitude), layer_50: per "
          "layer, tuned_N: then 1 (50%) or 2 epochs with the masks held; students: 64-16-10 on labels / distilled "
          "(T=4, alpha=0.7)")
    print(f"{'seed':>4}" + "".join(f"{c:>18}" for c in columns))
    rows = [one_seed(seed, features, labels) for seed in range(seeds)]
    for row in rows:
        print(f"{row['seed']:>4}" + "".join(f"{row[c]:>18.1%}" for c in columns))
    raw = [row["dense"] - row["pruned_50"] for row in rows]
    drops = [row["dense"] - row["tuned_50"] for row in rows]
    print(f"50% sparsity, pruned only:           worst drop {max(raw) * 100:5.2f} points, mean {np.mean(raw) * 100:5.2f}")
    print(f"50% sparsity, + 1 epoch masks held:  worst drop {max(drops) * 100:5.2f} points, mean "
          f"{np.mean(drops) * 100:5.2f} (target: at most 1 point) in {time.perf_counter() - started:.1f} s")
    print(json.dumps({"bench": "compression", "seeds": seeds, "worst_drop_50": round(max(drops), 4),
                      "mean_drop_50": round(float(np.mean(drops)), 4), "worst_drop_50_untuned": round(max(raw), 4),
                      "mean": {c: round(float(np.mean([r[c] for r in rows])), 4) for c in columns}}))
    return 0 if max(drops) <= 0.01 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    sys.exit(main(parser.parse_args().seeds))
