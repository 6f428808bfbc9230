"""Can I make a trained model smaller without losing what it learned?

Capability: an MLP that reads the handwritten digits is pruned to half its weights by magnitude and, after an
epoch of fine-tuning that keeps them at zero, its held-out accuracy is within one point of the dense one; pruned to 80% and fine-tuned with the pruned weights held at zero, it stays
80% sparse and accurate, and a sparse (CSR) copy of it takes fewer bytes than the dense one; a student with 8x
fewer parameters learns the digits from the teacher's softened answers (knowledge distillation).
"""
from pathlib import Path

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy
from tinytorch.perf.compression import MaskedOptimizer, csr_nbytes, distill, magnitude_prune, sparsity_report


def load_digits():
    for folder in Path(__file__).resolve().parents:
        path = folder / "milestones" / "data" / "digits.npz"
        if path.is_file():
            with np.load(path) as archive:
                return (archive["images"].reshape(-1, 64) / 16.0).astype(np.float32), archive["labels"].astype(np.int64)
    raise FileNotFoundError("milestones/data/digits.npz is not above this checkpoint: run it in the course")


def mlp(hidden, seed):
    return Sequential(Linear(64, hidden, seed=seed), ReLU(), Linear(hidden, 10, seed=seed + 1))


def test_a_digits_mlp_loses_half_its_weights_then_most_of_them_and_teaches_a_small_student():
    features, labels = load_digits()
    order = np.random.default_rng(17).permutation(len(labels))
    test_idx, train_idx = order[:360], order[360:]
    train = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=32, shuffle=True, seed=17)

    def score(model):
        with no_grad():
            return accuracy(model(Tensor(features[test_idx])), labels[test_idx])

    teacher = mlp(128, seed=17)
    Trainer(teacher, Adam(teacher.parameters(), lr=0.003), CrossEntropyLoss()).fit(train, epochs=15)
    dense = score(teacher)
    assert dense > 0.95, f"the dense MLP reads the digits: {dense:.1%}"

    pruned = mlp(128, seed=0)
    for mine, theirs in zip(pruned.parameters(), teacher.parameters()):
        mine.data = theirs.data.copy()
    pruning = magnitude_prune(pruned, 0.5)
    Trainer(pruned, MaskedOptimizer(Adam(pruned.parameters(), lr=0.001), pruning), CrossEntropyLoss()).fit(
        train, epochs=1)
    assert sparsity_report(pruned)[-1]["sparsity"] == 0.5
    assert score(pruned) >= dense - 0.01, f"50% sparsity costs at most one point: {dense:.1%} -> {score(pruned):.1%}"

    pruning = magnitude_prune(pruned, 0.8)
    Trainer(pruned, MaskedOptimizer(Adam(pruned.parameters(), lr=0.001), pruning), CrossEntropyLoss()).fit(
        train, epochs=2)
    report = sparsity_report(pruned)
    assert abs(report[-1]["sparsity"] - 0.8) < 1e-4, "fine-tuning does not revive pruned weights"
    assert score(pruned) >= dense - 0.02, f"80% sparse and fine-tuned: {dense:.1%} -> {score(pruned):.1%}"
    dense_bytes = sum(layer.weight.data.nbytes for layer in (pruned.layers[0], pruned.layers[2]))
    sparse_bytes = sum(csr_nbytes(layer.weight) for layer in (pruned.layers[0], pruned.layers[2]))
    assert sparse_bytes < dense_bytes / 2, f"CSR at 80% sparsity: {sparse_bytes:,} of {dense_bytes:,} bytes"

    student = mlp(16, seed=18)
    lessons = DataLoader(TensorDataset(features[train_idx], labels[train_idx]), batch_size=32, shuffle=True, seed=18)
    distill(student, teacher, lessons, Adam(student.parameters(), lr=0.003), epochs=10, temperature=4.0, alpha=0.7)
    teacher_size = sum(p.numel() for p in teacher.parameters())
    student_size = sum(p.numel() for p in student.parameters())
    assert teacher_size / student_size > 7.5 and score(student) > 0.88, (
        f"a student {teacher_size / student_size:.1f}x smaller learns from the teacher: {score(student):.1%}")
