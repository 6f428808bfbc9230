"""Can I make my model faster and prove that it computes the same?

Capability: replace a slow kernel by a faster one only after checking it gives the same answer (the autotuner
refuses a fast wrong one), fuse a model's Linear+ReLU layers into one pass that keeps a fraction of the memory for
backward, and train the fused model to exactly the parameters the original reaches.
"""
from functools import partial

import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.perf.acceleration import fastest, fuse_linear_relu, matmul_blocked, matmul_loops, memory_use


def classifier(seed):
    return Sequential(Linear(8, 32, seed=seed), ReLU(), Linear(32, 32, seed=seed + 1), ReLU(), Linear(32, 3, seed=seed + 2))


def blobs(count, seed):
    """Three clusters in 8 dimensions."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, count)
    centres = np.random.default_rng(0).normal(scale=2.0, size=(3, 8))
    return (centres[labels] + rng.normal(size=(count, 8))).astype(np.float32), labels


def test_the_fused_model_trains_to_the_same_parameters_with_less_memory_kept():
    x, y = blobs(256, seed=19)
    plain, fused = classifier(19), fuse_linear_relu(classifier(19))
    trained = []
    for model in (plain, fused):
        optimizer = Adam(model.parameters(), lr=0.01)
        for _ in range(25):
            optimizer.zero_grad()
            loss = CrossEntropyLoss()(model(Tensor(x)), y)
            loss.backward()
            optimizer.step()
        trained.append(loss.item())
    assert trained[0] < 0.5, f"the classifier learns the clusters, loss {trained[0]:.3f}"
    assert abs(trained[0] - trained[1]) < 1e-4, f"the same path: {trained}"
    for p, q in zip(plain.parameters(), fused.parameters()):
        assert np.allclose(p.data, q.data, atol=1e-5)

    batch = Tensor(x, requires_grad=True)
    _, _, kept_plain = memory_use(plain, batch)
    _, _, kept_fused = memory_use(fused, batch)
    assert kept_fused < 0.6 * kept_plain, f"kept for backward: fused {kept_fused} bytes, unfused {kept_plain} bytes"


def test_the_autotuner_chooses_a_right_kernel_and_never_a_wrong_one():
    rng = np.random.default_rng(19)
    a, b = rng.normal(size=(40, 40)), rng.normal(size=(40, 40))
    tuning = fastest({"loops": matmul_loops, "tiles of 8": partial(matmul_blocked, tile=8), "numpy": np.matmul}, a, b)
    assert tuning.name != "loops" and tuning.seconds["loops"] > 10 * tuning.seconds[tuning.name], repr(tuning)
    assert np.allclose(tuning.function(a, b), a @ b)
    try:
        fastest({"numpy": np.matmul, "almost": lambda p, q: p @ q * 1.01}, a, b)
    except ValueError as error:
        assert "'almost'" in str(error)
    else:
        raise AssertionError("a kernel that is 1% off must never be chosen")
