"""Module 08 — data: Dataset, TensorDataset, collate, DataLoader (batching, seeded shuffling, drop_last)."""
import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.dataloader import DataLoader, Dataset, TensorDataset, collate
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy


class Squares(Dataset):
    """A dataset computed on demand: example i is (i, i²)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, index):
        return np.array([float(index)]), float(index) ** 2


def ids_of(loader):
    """The first field of every batch of one epoch, concatenated."""
    return np.concatenate([batch[0].data.reshape(-1) for batch in loader])


# --- collate -----------------------------------------------------------------------------------

def test_collate_tuples():
    x, y = collate([(np.array([1.0, 2.0]), 1), (np.array([3.0, 4.0]), 0)])
    assert isinstance(x, Tensor) and isinstance(y, Tensor), "collate must return Tensors"
    assert x.shape == (2, 2) and y.shape == (2,), f"expected (2, 2) and (2,), got {x.shape} and {y.shape}"
    assert np.allclose(x.data, [[1, 2], [3, 4]]) and np.allclose(y.data, [1, 0])


def test_collate_tensor_fields_and_three_fields():
    samples = [(Tensor([i, i]), Tensor(i * 10), i) for i in range(3)]
    a, b, c = collate(samples)
    assert a.shape == (3, 2) and b.shape == (3,) and c.shape == (3,)
    assert np.allclose(b.data, [0, 10, 20])


def test_collate_single_values():
    batch = collate([np.zeros((2, 2)), np.ones((2, 2))])
    assert isinstance(batch, Tensor) and batch.shape == (2, 2, 2), "non-tuple examples stack into one Tensor"
    with pytest.raises(ValueError):
        collate([])


# --- TensorDataset -----------------------------------------------------------------------------

def test_tensor_dataset_length_and_items():
    x = np.arange(15, dtype=np.float32).reshape(5, 3)
    y = np.array([4, 3, 2, 1, 0])
    dataset = TensorDataset(Tensor(x), y)
    assert len(dataset) == 5, f"5 rows -> len 5, got {len(dataset)}"
    features, label = dataset[1]
    assert isinstance(features, Tensor) and np.allclose(features.data, [3, 4, 5]), "dataset[1] is row 1"
    assert label.item() == 3


def test_tensor_dataset_single_tensor():
    dataset = TensorDataset(np.arange(4.0))
    (value,) = dataset[2]
    assert value.item() == 2.0, "with one tensor, an example is a 1-tuple"


def test_tensor_dataset_mismatched_lengths():
    with pytest.raises(ValueError) as info:
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    assert "5" in str(info.value) and "4" in str(info.value), f"name the lengths in the message: {info.value}"


def test_tensor_dataset_get_batch():
    dataset = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    x, y = dataset.get_batch(np.array([4, 1, 1]))
    assert x.shape == (3, 2) and np.allclose(y.data, [4, 1, 1])
    assert np.allclose(x.data[0], [8, 9])


def test_tensor_dataset_is_a_dataset():
    assert isinstance(TensorDataset(np.zeros(3)), Dataset)


# --- DataLoader: batching ----------------------------------------------------------------------

def test_batches_cover_dataset_in_order():
    loader = DataLoader(TensorDataset(np.arange(10.0), np.arange(10)), batch_size=3)
    batches = list(loader)
    assert [len(x) for x, _ in batches] == [3, 3, 3, 1], f"batch sizes should be [3, 3, 3, 1], got {[len(x) for x, _ in batches]}"
    assert np.allclose(ids_of(loader), np.arange(10)), "without shuffle the order must be 0..N-1"


@pytest.mark.parametrize("n,batch_size,drop_last,expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0),
])
def test_len_is_number_of_batches(n, batch_size, drop_last, expected):
    loader = DataLoader(TensorDataset(np.arange(float(n))), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == expected, f"{n} examples, batch {batch_size}, drop_last={drop_last}: {expected} batches"
    assert len(list(loader)) == expected, "iteration must yield exactly len(loader) batches"


def test_drop_last_skips_short_batch():
    loader = DataLoader(TensorDataset(np.arange(7.0)), batch_size=3, drop_last=True)
    assert [len(b[0]) for b in loader] == [3, 3]


def test_default_batch_size_is_32():
    loader = DataLoader(TensorDataset(np.arange(100.0)))
    assert [len(b[0]) for b in loader] == [32, 32, 32, 4]


def test_batches_are_tensors_with_right_shapes():
    loader = DataLoader(TensorDataset(np.zeros((20, 4, 4), dtype=np.float32), np.zeros(20)), batch_size=8)
    x, y = next(iter(loader))
    assert isinstance(x, Tensor) and x.shape == (8, 4, 4) and y.shape == (8,)
    assert x.dtype == np.float32, f"float32 data must stay float32, got {x.dtype}"


def test_custom_dataset_uses_collate():
    loader = DataLoader(Squares(7), batch_size=3)
    batches = list(loader)
    assert len(batches) == 3
    x, y = batches[1]
    assert x.shape == (3, 1) and np.allclose(y.data, [9, 16, 25]), "a custom Dataset is batched through collate"


def test_loader_can_be_iterated_many_times():
    loader = DataLoader(TensorDataset(np.arange(6.0)), batch_size=4)
    assert len(list(loader)) == 2 and len(list(loader)) == 2, "each `for` over the loader is a fresh epoch"


def test_invalid_batch_size():
    loader = DataLoader(TensorDataset(np.arange(3.0)), batch_size=1)
    assert len(loader) == 3
    with pytest.raises(ValueError):
        DataLoader(TensorDataset(np.arange(3.0)), batch_size=0)


# --- DataLoader: shuffling ---------------------------------------------------------------------

def test_shuffle_is_a_permutation():
    ids = ids_of(DataLoader(TensorDataset(np.arange(50.0)), batch_size=8, shuffle=True, seed=1))
    assert sorted(ids.tolist()) == list(range(50)), "shuffling must visit every example exactly once"
    assert not np.array_equal(ids, np.arange(50)), "shuffle=True must change the order"


def test_shuffle_differs_between_epochs():
    loader = DataLoader(TensorDataset(np.arange(50.0)), batch_size=10, shuffle=True, seed=1)
    assert not np.array_equal(ids_of(loader), ids_of(loader)), "every epoch needs a fresh permutation"


def test_same_seed_same_sequence_of_epochs():
    a = DataLoader(TensorDataset(np.arange(30.0)), batch_size=7, shuffle=True, seed=123)
    b = DataLoader(TensorDataset(np.arange(30.0)), batch_size=7, shuffle=True, seed=123)
    for epoch in range(3):
        assert np.array_equal(ids_of(a), ids_of(b)), f"epoch {epoch}: the same seed must give the same order"


def test_different_seeds_differ():
    a = ids_of(DataLoader(TensorDataset(np.arange(30.0)), batch_size=30, shuffle=True, seed=1))
    b = ids_of(DataLoader(TensorDataset(np.arange(30.0)), batch_size=30, shuffle=True, seed=2))
    assert not np.array_equal(a, b)


def test_shuffle_keeps_pairs_together():
    x = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    for bx, by in DataLoader(TensorDataset(x, y), batch_size=6, shuffle=True, seed=0):
        assert np.allclose(bx.data[:, 0], by.data * 2), "features and labels must be shuffled with the same permutation"


# --- end to end --------------------------------------------------------------------------------

def test_dataloader_feeds_trainer():
    rng = np.random.default_rng(0)
    centers = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    labels = rng.integers(0, 3, 400)
    points = (centers[labels] + rng.normal(size=(400, 2))).astype(np.float32)
    train = DataLoader(TensorDataset(points[:300], labels[:300]), batch_size=25, shuffle=True, seed=0)
    val = DataLoader(TensorDataset(points[300:], labels[300:]), batch_size=50)
    model = Sequential(Linear(2, 16, seed=0), ReLU(), Linear(16, 3, seed=1))
    trainer = Trainer(model, Adam(model.parameters(), lr=0.02), CrossEntropyLoss(), metric=accuracy)
    history = trainer.fit(train, val, epochs=8)
    assert history["val_accuracy"][-1] > 0.9, f"expected > 90% on three blobs, got {history['val_accuracy'][-1]:.2f}"
