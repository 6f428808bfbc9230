"""Can I train a network end to end and save it?

Capability: run the full training loop with a Trainer (epochs, evaluation, history), reach high
accuracy on a non-linear problem, and save and restore a checkpoint.
"""
import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy


def rings(n, seed):
    rng = np.random.default_rng(seed)
    radius = np.where(rng.random(n) < 0.5, 1.0, 2.5)
    angle = rng.uniform(0, 2 * np.pi, n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1) + rng.normal(scale=0.2, size=(n, 2))
    return points.astype(np.float32), (radius > 2).astype(np.int64)


def make_trainer(seed):
    model = Sequential(Linear(2, 32, seed=seed), ReLU(), Linear(32, 2, seed=seed + 1))
    return Trainer(model, Adam(model.parameters(), lr=0.02), CrossEntropyLoss(), metric=accuracy)


def test_train_evaluate_save_restore(tmp_path):
    points, labels = rings(500, seed=0)
    train = [(Tensor(points[i:i + 50]), Tensor(labels[i:i + 50])) for i in range(0, 400, 50)]
    val = [(Tensor(points[400:]), Tensor(labels[400:]))]
    trainer = make_trainer(0)
    history = trainer.fit(train, val, epochs=30)
    assert history["val_accuracy"][-1] > 0.95
    assert history["train_loss"][-1] < history["train_loss"][0]

    trainer.save_checkpoint(str(tmp_path / "rings.npz"))
    restored = make_trainer(99)
    restored.load_checkpoint(str(tmp_path / "rings.npz"))
    assert restored.epoch == 30
    assert np.isclose(restored.evaluate(val)["accuracy"], trainer.evaluate(val)["accuracy"])
