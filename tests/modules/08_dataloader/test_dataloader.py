"""Module 08 — data: Dataset, TensorDataset, collate, DataLoader (batching, seeded shuffling, drop_last), and a
DataLoader over any sequence with len() and [i]: a plain list of (x, y) pairs, a Tensor, a class of your own."""
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


def test_collate_reads_tensors_through_numpy():
    x, y = collate([(Tensor([1.0, 2.0], requires_grad=True), 0), (Tensor([3.0, 4.0]), 1)])
    assert x.shape == (2, 2) and np.allclose(x.data, [[1, 2], [3, 4]]) and np.allclose(y.data, [0, 1])


def test_collate_accepts_any_sequence_of_examples():
    x, y = collate(((np.zeros(3), 1), (np.ones(3), 2)))
    assert x.shape == (2, 3) and np.allclose(y.data, [1, 2]), "a tuple of examples collates like a list"
    assert collate(Tensor([1.0, 2.0]) for _ in range(3)).shape == (3, 2), "a generator of examples too"


def test_collate_names_the_field_whose_shapes_differ():
    with pytest.raises(ValueError, match=r"field 1.*\(2,\).*\(3,\)"):
        collate([(0, np.zeros(2)), (1, np.zeros(3))])
    with pytest.raises(ValueError, match="different shapes"):
        collate([np.zeros((2, 2)), np.zeros((2, 3))])


@pytest.mark.parametrize("odd_one", [(np.zeros(2),), (np.zeros(2), 1, 2), np.zeros(2)], ids=["1 field", "3 fields", "no tuple"])
def test_collate_refuses_examples_with_other_fields(odd_one):
    with pytest.raises(ValueError, match="example 2 is not a tuple of 2 fields"):
        collate([(np.zeros(2), 0), (np.ones(2), 1), odd_one])


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


# --- DataLoader: any sequence with len() and [i] ---------------------------------------------

PAIRS = [(np.array([float(i), -float(i)], dtype=np.float32), i % 3) for i in range(10)]


def test_loader_over_a_plain_list_of_pairs():
    loader = DataLoader(PAIRS, batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3, f"10 pairs in batches of 4 -> 3 batches, got {len(batches)}"
    x, y = batches[0]
    assert isinstance(x, Tensor) and isinstance(y, Tensor), "a batch of (x, y) pairs is a pair of Tensors"
    assert x.shape == (4, 2) and y.shape == (4,), f"expected (4, 2) and (4,), got {x.shape} and {y.shape}"
    assert x.dtype == np.float32, f"float32 features stay float32, got {x.dtype}"
    assert np.allclose(np.concatenate([bx.data[:, 0] for bx, _ in batches]), np.arange(10)), "order is kept"
    assert [len(bx) for bx, _ in batches] == [4, 4, 2]


def test_loader_over_a_list_shuffles_and_keeps_pairs_together():
    loader = DataLoader(PAIRS, batch_size=3, shuffle=True, seed=4, drop_last=True)
    seen = []
    for x, y in loader:
        assert len(x) == 3, "drop_last applies to lists too"
        assert np.allclose(x.data[:, 0] % 3, y.data), "each x must stay with its own y"
        seen.extend(x.data[:, 0].tolist())
    assert len(seen) == 9 and seen != sorted(seen), "shuffle=True permutes a list too"
    assert ids_of(DataLoader(PAIRS, batch_size=3, shuffle=True, seed=4)).tolist() != \
        ids_of(DataLoader(PAIRS, batch_size=3, shuffle=True, seed=5)).tolist()


def test_loader_over_a_tensor_gives_batches_of_rows():
    data = Tensor(np.arange(12.0).reshape(6, 2))
    batches = list(DataLoader(data, batch_size=4))
    assert [b.shape for b in batches] == [(4, 2), (2, 2)], f"a Tensor is a dataset of its rows, got {[b.shape for b in batches]}"
    assert np.allclose(batches[1].data, [[8, 9], [10, 11]])


def test_loader_over_a_class_with_only_len_and_getitem():
    class Pixels:                                   # not a Dataset: PyTorch's contract is enough
        def __len__(self):
            return 5

        def __getitem__(self, index):
            if not 0 <= index < 5:
                raise IndexError(index)
            return Tensor(np.full((2, 2), float(index))), index

    images, labels = next(iter(DataLoader(Pixels(), batch_size=5)))
    assert images.shape == (5, 2, 2) and np.allclose(labels.data, np.arange(5))
    assert np.allclose(images.data[:, 0, 0], np.arange(5))


def test_loader_over_single_values():
    batches = list(DataLoader([1.5, 2.5, 3.5], batch_size=2))
    assert [b.data.tolist() for b in batches] == [[1.5, 2.5], [3.5]], "examples that are numbers stack into vectors"


def test_loader_still_uses_get_batch_when_the_dataset_has_one():
    class Counted(TensorDataset):
        calls = 0

        def get_batch(self, indices):
            Counted.calls += 1
            return super().get_batch(indices)

    list(DataLoader(Counted(np.arange(10.0)), batch_size=4))
    assert Counted.calls == 3, f"one get_batch call per batch expected, got {Counted.calls}"

    class OnlyBatches:                              # how datasets were written before: len() and get_batch
        def __len__(self):
            return 4

        def get_batch(self, indices):
            return Tensor(np.asarray(indices, dtype=np.float32) * 10)

    assert [b.data.tolist() for b in DataLoader(OnlyBatches(), batch_size=3)] == [[0, 10, 20], [30]]


def test_loader_over_an_empty_list_yields_nothing():
    loader = DataLoader([], batch_size=4)
    assert len(loader) == 0 and list(loader) == []


def test_loader_refuses_what_is_not_a_sequence_and_takes_its_list():
    for not_a_dataset in (42, None, (pair for pair in PAIRS)):
        with pytest.raises(TypeError, match=r"len\(\) and dataset\[i\]"):
            DataLoader(not_a_dataset)
    batches = list(DataLoader(list(pair for pair in PAIRS), batch_size=5))
    assert [x.shape for x, _ in batches] == [(5, 2), (5, 2)], "the generator's list, as the message advises, works"


def test_list_of_pairs_feeds_trainer():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 200)
    points = (np.array([[2.0, 2.0], [-2.0, -2.0]])[labels] + rng.normal(size=(200, 2))).astype(np.float32)
    pairs = list(zip(points, labels))
    model = Sequential(Linear(2, 8, seed=0), ReLU(), Linear(8, 2, seed=1))
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), CrossEntropyLoss(), metric=accuracy)
    history = trainer.fit(DataLoader(pairs[:150], batch_size=16, shuffle=True, seed=0),
                          DataLoader(pairs[150:], batch_size=50), epochs=5)
    assert history["val_accuracy"][-1] > 0.9, f"two blobs from a list of pairs: expected > 90%, got {history['val_accuracy'][-1]:.2f}"


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
