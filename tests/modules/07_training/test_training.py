"""Module 07 — training: accuracy, Trainer (train_step, train_epoch, evaluate, fit), checkpoints."""
import json

import numpy as np
import pytest

from tinytorch.core.activations import ReLU, Sigmoid
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy


def blobs(n, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    centers = np.array([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    labels = rng.integers(0, 3, n)
    points = (centers[labels] + rng.normal(scale=scale, size=(n, 2))).astype(np.float32)
    return points, labels


def batches_of(points, labels, size):
    return [(Tensor(points[i:i + size]), Tensor(labels[i:i + size])) for i in range(0, len(points), size)]


def classifier(seed=0, dropout=0.0):
    layers = [Linear(2, 16, seed=seed), ReLU()]
    if dropout:
        layers.append(Dropout(dropout, seed=seed))
    layers.append(Linear(16, 3, seed=seed + 1))
    return Sequential(*layers)


class CountingModel:
    """A model that records the modes it was switched to and how often it was called."""

    def __init__(self):
        self.layer = Linear(2, 3, seed=0)
        self.modes = []
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return self.layer(x)

    def parameters(self):
        return self.layer.parameters()

    def train(self, mode=True):
        self.modes.append("train" if mode else "eval")

    def eval(self):
        self.train(False)


# --- accuracy ----------------------------------------------------------------------------------

def test_accuracy_multiclass():
    logits = Tensor([[1.0, 3.0, 0.0], [5.0, 1.0, 0.0], [0.0, 0.0, 2.0], [0.0, 9.0, 1.0]])
    assert np.isclose(accuracy(logits, Tensor([1, 0, 2, 2])), 0.75), "argmax per row vs class index"


def test_accuracy_one_hot_targets_and_numpy():
    logits = np.array([[0.1, 0.9], [0.8, 0.2]])
    assert np.isclose(accuracy(logits, np.array([[0.0, 1.0], [0.0, 1.0]])), 0.5)


def test_accuracy_binary_probabilities():
    probs = Tensor([[0.7], [0.4], [0.51], [0.1]])
    assert np.isclose(accuracy(probs, Tensor([[1.0], [1.0], [1.0], [0.0]])), 0.75), "one output: predict 1 when > 0.5"
    assert np.isclose(accuracy(Tensor([0.9, 0.2]), np.array([1, 0])), 1.0), "flat (N,) probabilities work too"


def test_accuracy_returns_python_float():
    value = accuracy(Tensor([[1.0, 0.0]]), np.array([0]))
    assert type(value) is float, f"accuracy must return a float, got {type(value).__name__}"


# --- train_step --------------------------------------------------------------------------------

def test_train_step_follows_the_recipe():
    points, labels = blobs(40)
    model = classifier()
    optimizer = SGD(model.parameters(), lr=0.1)
    trainer = Trainer(model, optimizer, CrossEntropyLoss())
    x, y = Tensor(points), Tensor(labels)
    expected_loss = CrossEntropyLoss()(model(x), y).item()
    w_before = model[0].weight.data.copy()
    model[0].weight.grad = Tensor(np.full((2, 16), 1000.0, dtype=np.float32))   # stale gradient from before
    loss = trainer.train_step(x, y)
    assert isinstance(loss, float), f"train_step returns a float, got {type(loss).__name__}"
    assert np.isclose(loss, expected_loss, rtol=1e-5), "train_step returns the loss computed before the update"
    step = np.abs(model[0].weight.data - w_before).max()
    assert 0 < step < 10, f"parameters must move by lr * fresh gradient (zero_grad first!), max change {step}"


def test_train_step_lowers_loss_on_repeat():
    points, labels = blobs(60, seed=1)
    model = classifier()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), CrossEntropyLoss())
    losses = [trainer.train_step(Tensor(points), Tensor(labels)) for _ in range(40)]
    assert losses[-1] < 0.5 * losses[0], f"loss should fall on a repeated batch: {losses[0]:.3f} -> {losses[-1]:.3f}"


# --- train_epoch / evaluate ----------------------------------------------------------------------

def test_train_epoch_visits_every_batch_in_training_mode():
    points, labels = blobs(50)
    model = CountingModel()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.01), CrossEntropyLoss())
    loss = trainer.train_epoch(batches_of(points, labels, 16))
    assert model.calls == 4, f"50 examples in batches of 16 = 4 batches, the model was called {model.calls} times"
    assert model.modes and model.modes[0] == "train", "train_epoch must switch the model to training mode first"
    assert isinstance(loss, float) and np.isfinite(loss)


def test_train_epoch_weights_batches_by_size():
    x = Tensor(np.zeros((3, 1), dtype=np.float32))
    y_big = Tensor(np.ones((3, 1), dtype=np.float32))            # loss 1 on 3 examples
    y_small = Tensor(np.full((1, 1), 3.0, dtype=np.float32))    # loss 9 on 1 example
    model = Linear(1, 1, seed=0)
    model.weight.data[...] = 0
    model.bias.data[...] = 0
    trainer = Trainer(model, SGD(model.parameters(), lr=0.0), MSELoss())
    loss = trainer.train_epoch([(x, y_big), (Tensor(np.zeros((1, 1), dtype=np.float32)), y_small)])
    assert np.isclose(loss, (1 * 3 + 9 * 1) / 4), f"mean over examples is (3*1 + 1*9)/4 = 3.0, got {loss} (per-batch mean would be 5)"


def test_evaluate_does_not_train_or_record():
    points, labels = blobs(30)
    model = classifier()
    trainer = Trainer(model, SGD(model.parameters(), lr=1.0), CrossEntropyLoss(), metric=accuracy)
    before = [p.data.copy() for p in model.parameters()]
    results = trainer.evaluate(batches_of(points, labels, 10))
    assert all(np.array_equal(b, p.data) for b, p in zip(before, model.parameters())), "evaluate must not change parameters"
    assert all(p.grad is None for p in model.parameters()), "evaluate must not compute gradients"
    assert set(results) == {"loss", "accuracy"}, f"evaluate returns loss and accuracy, got {set(results)}"
    assert 0.0 <= results["accuracy"] <= 1.0


def test_evaluate_uses_no_grad_and_eval_mode():
    points, labels = blobs(20)
    seen = []

    def spy_metric(predictions, targets):
        seen.append(predictions.grad_fn)
        return accuracy(predictions, targets)

    model = CountingModel()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss(), metric=spy_metric)
    results = trainer.evaluate(batches_of(points, labels, 10))
    assert "spy_metric" in results, "the metric is reported under its function name"
    assert model.modes[0] == "eval", "evaluate must switch the model to eval mode"
    assert seen and all(fn is None for fn in seen), "evaluate must run under no_grad(): no graph recorded"


def test_evaluate_is_example_weighted():
    points, labels = blobs(25, seed=3)
    model = classifier()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss(), metric=accuracy)
    uneven = trainer.evaluate(batches_of(points, labels, 20))
    whole = trainer.evaluate([(Tensor(points), Tensor(labels))])
    assert np.isclose(uneven["loss"], whole["loss"], rtol=1e-5), "loss over batches of 20 + 5 must equal the loss over all 25"
    assert np.isclose(uneven["accuracy"], whole["accuracy"])


def test_evaluate_without_metric():
    points, labels = blobs(10)
    model = classifier()
    results = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss()).evaluate(batches_of(points, labels, 5))
    assert set(results) == {"loss"}


def test_dropout_is_off_during_evaluation():
    points, labels = blobs(40)
    model = classifier(dropout=0.5)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    batches = batches_of(points, labels, 40)
    assert trainer.evaluate(batches)["loss"] == trainer.evaluate(batches)["loss"], "evaluation must be deterministic"
    trainer.train_epoch(batches)
    assert model[2].training, "training mode must be back on during train_epoch"


# --- fit ---------------------------------------------------------------------------------------

def test_fit_learns_and_records_history():
    points, labels = blobs(200, seed=4)
    train = batches_of(points[:150], labels[:150], 30)
    val = batches_of(points[150:], labels[150:], 50)
    model = classifier()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), CrossEntropyLoss(), metric=accuracy)
    history = trainer.fit(train, val, epochs=12)
    assert history is trainer.history
    assert trainer.epoch == 12
    for key in ("train_loss", "val_loss", "val_accuracy"):
        assert len(history[key]) == 12, f"history['{key}'] should have one entry per epoch"
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["val_accuracy"][-1] > 0.9, f"blobs should be >90% separable, got {history['val_accuracy'][-1]:.2f}"


def test_fit_without_validation_and_continuing():
    points, labels = blobs(60)
    model = classifier()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), CrossEntropyLoss())
    trainer.fit(batches_of(points, labels, 20), epochs=2)
    trainer.fit(batches_of(points, labels, 20), epochs=3)
    assert trainer.epoch == 5, "epochs must keep counting across fit() calls"
    assert len(trainer.history["train_loss"]) == 5 and trainer.history["val_loss"] == []


def test_fit_binary_classifier_with_sigmoid():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, :1] + x[:, 1:] > 0).astype(np.float32)
    model = Sequential(Linear(2, 1, seed=0), Sigmoid())
    trainer = Trainer(model, SGD(model.parameters(), lr=0.5), BinaryCrossEntropyLoss(), metric=accuracy)
    history = trainer.fit([(Tensor(x[i:i + 40]), Tensor(y[i:i + 40])) for i in range(0, 200, 40)],
                          [(Tensor(x), Tensor(y))], epochs=20)
    assert history["val_accuracy"][-1] > 0.95


# --- checkpoints -------------------------------------------------------------------------------

def make_trainer(seed, optimizer="adam"):
    model = classifier(seed)
    opt = Adam(model.parameters(), lr=0.02) if optimizer == "adam" else SGD(model.parameters(), lr=0.05, momentum=0.9)
    return Trainer(model, opt, CrossEntropyLoss(), metric=accuracy)


def test_checkpoint_round_trip(tmp_path):
    points, labels = blobs(90)
    batches = batches_of(points, labels, 30)
    trainer = make_trainer(0)
    trainer.fit(batches, batches, epochs=3)
    path = tmp_path / "ckpt.npz"
    trainer.save_checkpoint(str(path))
    assert path.exists(), "save_checkpoint must write to exactly the given path"

    other = make_trainer(42)
    param_objects = other.model.parameters()
    other.load_checkpoint(str(path))
    for a, b, obj in zip(trainer.model.parameters(), other.model.parameters(), param_objects):
        assert np.array_equal(a.data, b.data), "every parameter must be restored exactly"
        assert b is obj, "restore parameters in place (the optimizer holds the same tensor objects)"
    assert other.epoch == 3
    assert other.history == trainer.history
    assert other.optimizer.step_count == trainer.optimizer.step_count


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_checkpoint_resume_is_exact(tmp_path, optimizer):
    points, labels = blobs(90, seed=2)
    batches = batches_of(points, labels, 30)
    reference = make_trainer(0, optimizer)
    reference.fit(batches, epochs=5)

    first = make_trainer(0, optimizer)
    first.fit(batches, epochs=2)
    first.save_checkpoint(str(tmp_path / "half.npz"))
    resumed = make_trainer(7, optimizer)
    resumed.load_checkpoint(str(tmp_path / "half.npz"))
    resumed.fit(batches, epochs=3)
    for a, b in zip(reference.model.parameters(), resumed.model.parameters()):
        assert np.allclose(a.data, b.data, atol=1e-6), \
            "resuming must continue exactly: save and restore the optimizer state (momentum / Adam moments) too"
    assert np.allclose(reference.history["train_loss"], resumed.history["train_loss"], atol=1e-6)


def test_checkpoint_is_plain_data(tmp_path):
    trainer = make_trainer(0)
    trainer.fit(batches_of(*blobs(30), 10), epochs=1)
    path = tmp_path / "plain.npz"
    trainer.save_checkpoint(str(path))
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        meta = json.loads(str(archive["meta"]))
    assert {"param_0", "param_1", "param_2", "param_3", "meta"} <= names, f"unexpected checkpoint contents: {names}"
    assert meta["epoch"] == 1


def test_checkpoint_shape_mismatch_is_reported(tmp_path):
    trainer = make_trainer(0)
    trainer.save_checkpoint(str(tmp_path / "a.npz"))
    wider = Sequential(Linear(2, 32), ReLU(), Linear(32, 3))
    other = Trainer(wider, Adam(wider.parameters()), CrossEntropyLoss())
    with pytest.raises(ValueError):
        other.load_checkpoint(str(tmp_path / "a.npz"))
    smaller = Linear(2, 3)
    with pytest.raises(ValueError):
        Trainer(smaller, Adam(smaller.parameters()), CrossEntropyLoss()).load_checkpoint(str(tmp_path / "a.npz"))
