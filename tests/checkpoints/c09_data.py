"""Can I load data in shuffled batches for training?

Capability: wrap arrays in a TensorDataset, serve them with a DataLoader (batches, seeded shuffling,
drop_last), and train a model from it with the Trainer.
"""
import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.training import Trainer, accuracy


def test_batches_and_reproducible_shuffling():
    dataset = TensorDataset(np.arange(100, dtype=np.float32).reshape(100, 1), np.arange(100))
    loader = DataLoader(dataset, batch_size=32, shuffle=True, seed=7)
    batches = list(loader)
    assert [len(x) for x, _ in batches] == [32, 32, 32, 4] and len(loader) == 4
    first_epoch = np.concatenate([y.data for _, y in batches])
    assert sorted(first_epoch.tolist()) == list(range(100))
    second_epoch = np.concatenate([y.data for _, y in loader])
    assert not np.array_equal(first_epoch, second_epoch), "each epoch is shuffled anew"
    twin = DataLoader(dataset, batch_size=32, shuffle=True, seed=7)
    assert np.array_equal(np.concatenate([y.data for _, y in twin]), first_epoch), "same seed, same order"
    assert len(DataLoader(dataset, batch_size=32, drop_last=True)) == 3


def test_train_from_a_dataloader():
    rng = np.random.default_rng(1)
    centers = rng.normal(scale=3.0, size=(5, 8))
    labels = rng.integers(0, 5, 700)
    points = (centers[labels] + rng.normal(size=(700, 8))).astype(np.float32)
    train = DataLoader(TensorDataset(points[:600], labels[:600]), batch_size=32, shuffle=True, seed=0)
    val = DataLoader(TensorDataset(points[600:], labels[600:]), batch_size=50)
    model = Sequential(Linear(8, 32, seed=0), ReLU(), Linear(32, 5, seed=1))
    trainer = Trainer(model, Adam(model.parameters(), lr=0.01), CrossEntropyLoss(), metric=accuracy)
    history = trainer.fit(train, val, epochs=8)
    assert history["val_accuracy"][-1] > 0.9
