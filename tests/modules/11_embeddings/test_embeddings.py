"""Module 11 — embeddings: lookups of ids of any form and shape, refusals that say what is wrong, sparse gradient
rows (repeats accumulate, padding frozen), sinusoidal and learned positional encodings, every backward checked
against finite differences, and training that moves only the rows a batch used."""
import numpy as np
import pytest

from tinytorch.core.autograd import no_grad
from tinytorch.core.embeddings import (
    Embedding, EmbeddingBackward, LearnedPositionalEncoding, SinusoidalPositionalEncoding, sinusoidal_table,
)
from tinytorch.core.optimizers import SGD, Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.tokenization import BPETokenizer, CharTokenizer


def numerical_gradient(loss, array, eps=1e-6):
    """Central differences of `loss()` with respect to every number of `array`, changed in place and restored."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = loss()
        array[index] = saved - eps
        minus = loss()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def float64_embedding(num_embeddings, dim, **kwargs):
    layer = Embedding(num_embeddings, dim, **kwargs)
    layer.weight.data = layer.weight.data.astype(np.float64)   # finite differences need float64
    return layer


# --- the table ---------------------------------------------------------------------------------------------


def test_weight_is_a_seeded_float32_parameter():
    layer = Embedding(7, 3, seed=0)
    assert layer.weight.shape == (7, 3) and layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert layer.parameters() == [layer.weight]
    assert np.array_equal(layer.weight.data, Embedding(7, 3, seed=0).weight.data)
    assert not np.array_equal(layer.weight.data, Embedding(7, 3, seed=1).weight.data)
    big = Embedding(1000, 64, seed=0).weight.data
    assert abs(big.mean()) < 0.05 and 0.9 < big.std() < 1.1, "standard normal, like torch.nn.Embedding"


@pytest.mark.parametrize("args,kwargs", [
    ((0, 3), {}), ((3, 0), {}), ((-1, 3), {}), ((2.5, 3), {}), ((True, 3), {}), (("5", 3), {}),
    ((5, 3), {"padding_idx": 5}), ((5, 3), {"padding_idx": -6}), ((5, 3), {"padding_idx": 1.0}),
])
def test_bad_sizes_are_refused(args, kwargs):
    with pytest.raises(ValueError, match="num_embeddings|embedding_dim|padding_idx"):
        Embedding(*args, **kwargs)


def test_negative_padding_idx_counts_from_the_end():
    layer = Embedding(5, 2, padding_idx=-1, seed=0)
    assert layer.padding_idx == 4 and not layer.weight.data[4].any()
    assert "padding_idx=4" in repr(layer)


# --- lookups -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ids,shape", [
    (3, (4,)),
    ([3], (1, 4)),
    ([], (0, 4)),
    ([[1, 2, 3], [4, 5, 6]], (2, 3, 4)),
    (np.arange(24).reshape(2, 3, 4) % 10, (2, 3, 4, 4)),
    (np.array([1, 2], dtype=np.uint8), (2, 4)),
    (lambda: Tensor([1, 2]), (2, 4)),                       # float32 whole numbers
    (lambda: Tensor(np.array([[9, 0]]), dtype=np.int64), (1, 2, 4)),
    (np.int64(9), (4,)),
])
def test_ids_of_any_form_and_shape(ids, shape):
    ids = ids() if callable(ids) else ids   # Tensors are made in the test: collection must not need module 01
    layer = Embedding(10, 4, seed=0)
    out = layer(ids)
    assert out.shape == shape
    expected = layer.weight.data[np.asarray(ids.data if isinstance(ids, Tensor) else ids, dtype=np.int64)]
    assert np.array_equal(out.data, expected)


def test_output_is_a_copy_of_the_rows():
    layer = Embedding(4, 2, seed=0)
    for ids in ([1], 1, np.array(1)):
        out = layer(ids)
        out.data[...] = 100.0
        assert not (layer.weight.data == 100.0).any(), f"changing the output of {ids!r} must not change the table"


@pytest.mark.parametrize("ids,error,words", [
    ([10], IndexError, ["10", "rows 0 to 9", "vocab_size"]),
    ([[0, 1], [2, -1]], IndexError, ["-1", "(1, 1)"]),
    ([2**40], IndexError, [str(2**40)]),
    ([1.5], ValueError, ["1.5", "whole number"]),
    (lambda: Tensor([0.0, np.nan]), ValueError, ["nan", "(1,)"]),
    ([np.inf], ValueError, ["inf"]),
    ([True, False], TypeError, ["booleans", "mask"]),
    (["cat"], TypeError, ["'cat'", "tokenizer"]),
    ([None], TypeError, ["None"]),
    ([2**70], TypeError, ["fit in int64", str(2**70)]),
    ([b"ab"], TypeError, ["b'ab'"]),
    ([[1, 2], [3]], ValueError, ["rectangular"]),
])
def test_bad_ids_are_refused_in_a_sentence(ids, error, words):
    ids = ids() if callable(ids) else ids
    with pytest.raises(error) as caught:
        Embedding(10, 4, seed=0)(ids)
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from: {caught.value}"


def test_ids_from_a_tokenizer_batch():
    tokenizer = CharTokenizer().train("héllo wörld 🙂")
    ids, mask = tokenizer.encode_batch(["hé", "wörld 🙂"], bos=True, eos=True)
    layer = Embedding(tokenizer.vocab_size, 5, padding_idx=tokenizer.pad_id, seed=0)
    vectors = layer(ids)
    assert vectors.shape == ids.shape + (5,)
    assert not vectors.data[mask.data == 0].any(), "padding positions are zero vectors"
    with pytest.raises(IndexError, match="vocab_size"):
        Embedding(tokenizer.vocab_size - 1, 5)(ids)


# --- gradients ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ids,padding_idx", [
    (np.array([3, 0, 3, 3]), None),
    (np.array([[4, 2, 4], [0, 4, 5]]), None),
    (np.array([[4, 2, 4], [0, 4, 5]]), 2),
    (np.array([[[1]], [[1]]]), None),
    (np.array(5), None),
])
def test_embedding_gradient_matches_finite_differences(ids, padding_idx):
    layer = float64_embedding(6, 3, padding_idx=padding_idx, seed=1)
    upstream = np.random.default_rng(2).normal(size=ids.shape + (3,))
    (layer(ids) * Tensor(upstream)).sum().backward()
    numeric = numerical_gradient(lambda: float(np.sum(layer(ids).data * upstream)), layer.weight.data)
    if padding_idx is not None:
        numeric[padding_idx] = 0   # the padding row is frozen (PyTorch's rule), whatever the output says
    assert layer.weight.grad.dtype == np.float64
    assert np.allclose(layer.weight.grad.data, numeric, atol=1e-6)


def test_embedding_gradient_through_a_deeper_graph():
    layer = float64_embedding(5, 2, seed=3)
    ids = [[0, 4], [4, 4]]
    loss = lambda: float(((layer(ids) * layer(ids)).sum(axis=-1) ** 0.5).mean().data)  # noqa: E731
    ((layer(ids) * layer(ids)).sum(axis=-1) ** 0.5).mean().backward()
    assert np.allclose(layer.weight.grad.data, numerical_gradient(loss, layer.weight.data), atol=1e-6)


def test_sparse_grad_holds_only_the_rows_used():
    weight = Tensor(np.zeros((1000, 4), dtype=np.float32))
    ids = np.array([[7, 3, 7], [999, 7, 3]])
    backward = EmbeddingBackward(weight, ids)
    rows, row_grads = backward.sparse_grad(np.ones((2, 3, 4), dtype=np.float32))
    assert rows.tolist() == [3, 7, 999]
    assert row_grads.shape == (3, 4) and row_grads[:, 0].tolist() == [2, 3, 1], "repeated ids accumulate"
    (dense,) = backward.apply(np.ones((2, 3, 4), dtype=np.float32))
    assert dense.shape == (1000, 4) and np.array_equal(dense[rows], row_grads)
    assert np.count_nonzero(dense.any(axis=1)) == 3


def test_backward_keeps_its_own_ids():
    layer = Embedding(5, 2, seed=0)
    ids = np.array([1, 2])
    out = layer(ids)
    ids[:] = 4
    out.sum().backward()
    assert layer.weight.grad.data[[1, 2]].tolist() == [[1, 1], [1, 1]] and not layer.weight.grad.data[4].any()


def test_embedding_backward_keeps_its_own_copy_of_the_ids():
    weight = Tensor(np.zeros((5, 2)))
    ids = np.array([1, 2])
    backward = EmbeddingBackward(weight, ids)
    ids[:] = 4
    assert backward.sparse_grad(np.ones((2, 2)))[0].tolist() == [1, 2]


def test_gradients_accumulate_over_calls_and_no_grad_records_nothing():
    layer = Embedding(4, 2, seed=0)
    layer([1]).sum().backward()
    layer([1, 2]).sum().backward()
    assert layer.weight.grad.data[:, 0].tolist() == [0, 2, 1, 0]
    with no_grad():
        out = layer([1])
    assert not out.requires_grad and out.grad_fn is None
    layer.weight.requires_grad = False
    assert not layer([1]).requires_grad, "a frozen table (requires_grad=False) records no graph"


def test_padding_row_stays_zero_under_adam():
    layer = Embedding(5, 3, padding_idx=0, seed=0)
    optimizer = Adam(layer.parameters(), lr=0.1)
    for _ in range(3):
        optimizer.zero_grad()
        ((layer([[0, 1, 0], [2, 0, 0]]) - Tensor(np.ones(3))) ** 2).sum().backward()   # pulls row 0 towards 1
        optimizer.step()
    assert not layer.weight.data[0].any(), "no gradient ever reaches the padding row"


def test_sgd_moves_only_the_rows_used():
    layer = Embedding(50, 4, seed=0)
    before = layer.weight.data.copy()
    optimizer = SGD(layer.parameters(), lr=0.5)
    for ids in ([[3, 9], [9, 41]], [[3, 3]]):
        optimizer.zero_grad()
        ((layer(ids) - Tensor(np.ones(4))) ** 2).sum().backward()
        optimizer.step()
    moved = np.flatnonzero((layer.weight.data != before).any(axis=1))
    assert moved.tolist() == [3, 9, 41]


# --- positional encodings ----------------------------------------------------------------------------------


def vaswani(max_len, dim):
    """The table written out position by position and column by column, straight from the paper's formula."""
    table = np.zeros((max_len, dim))
    for pos in range(max_len):
        for i in range(0, dim, 2):
            angle = pos / 10000 ** (i / dim)
            table[pos, i] = np.sin(angle)
            if i + 1 < dim:
                table[pos, i + 1] = np.cos(angle)
    return table


@pytest.mark.parametrize("max_len,dim", [(1, 1), (1, 2), (10, 4), (50, 7), (128, 64)])
def test_sinusoidal_table_is_vaswanis_formula(max_len, dim):
    table = sinusoidal_table(max_len, dim)
    assert table.shape == (max_len, dim) and table.dtype == np.float32
    assert np.allclose(table, vaswani(max_len, dim), atol=1e-6)


def test_sinusoidal_table_stays_finite_and_distinct_for_long_sequences():
    table = sinusoidal_table(4096, 32)
    assert np.isfinite(table).all() and np.abs(table).max() <= 1.0
    assert len(np.unique(table, axis=0)) == 4096, "every position has its own vector"


@pytest.mark.parametrize("make", [
    lambda: SinusoidalPositionalEncoding(6, 4),
    lambda: LearnedPositionalEncoding(6, 4, seed=0),
], ids=["sinusoidal", "learned"])
def test_positions_are_added_to_every_sequence(make):
    layer = make()
    table = layer.table.data if isinstance(layer, SinusoidalPositionalEncoding) else layer.weight.data
    x = np.random.default_rng(0).normal(size=(3, 6, 4)).astype(np.float32)
    out = layer(Tensor(x))
    assert out.shape == (3, 6, 4)
    assert np.allclose(out.data, x + table[None])
    assert np.allclose(layer(Tensor(x[:, :2])).data, x[:, :2] + table[None, :2]), "a shorter sequence: first rows"


@pytest.mark.parametrize("cls", [SinusoidalPositionalEncoding, LearnedPositionalEncoding])
@pytest.mark.parametrize("shape,words", [
    ((2, 7, 4), ["7 positions", "0 to 5", "max_len"]),
    ((7, 4), ["(batch, seq, 4)"]),
    ((2, 3, 5), ["(batch, seq, 4)"]),
    ((1, 2, 3, 4), ["(batch, seq, 4)"]),
])
def test_bad_inputs_are_refused_in_a_sentence(cls, shape, words):
    with pytest.raises(ValueError) as caught:
        cls(6, 4)(Tensor(np.zeros(shape)))
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from: {caught.value}"


@pytest.mark.parametrize("cls", [SinusoidalPositionalEncoding, LearnedPositionalEncoding])
@pytest.mark.parametrize("max_len,dim", [(0, 4), (4, 0), (2.0, 4), (None, 4)])
def test_bad_sizes_of_positional_encodings_are_refused(cls, max_len, dim):
    with pytest.raises(ValueError, match="max_len|dim"):
        cls(max_len, dim)


def test_sinusoidal_encoding_learns_nothing_and_learned_encoding_is_small():
    assert SinusoidalPositionalEncoding(8, 4).parameters() == []
    learned = LearnedPositionalEncoding(512, 64, seed=0)
    assert learned.parameters() == [learned.weight] and learned.weight.requires_grad
    assert learned.weight.dtype == np.float32 and 0.015 < learned.weight.data.std() < 0.025, "GPT-2's std 0.02"
    assert np.array_equal(learned.weight.data, LearnedPositionalEncoding(512, 64, seed=0).weight.data)


@pytest.mark.parametrize("make", [
    lambda: SinusoidalPositionalEncoding(5, 3),
    lambda: LearnedPositionalEncoding(5, 3, seed=0),
], ids=["sinusoidal", "learned"])
def test_positional_gradients_match_finite_differences(make):
    layer = make()
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    rng = np.random.default_rng(1)
    x_data, upstream = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 4, 3))
    x = Tensor(x_data.copy(), requires_grad=True)
    (layer(x) * Tensor(upstream)).sum().backward()
    loss = lambda: float(np.sum(layer(Tensor(x_data)).data * upstream))  # noqa: E731
    assert np.allclose(x.grad.data, numerical_gradient(loss, x_data), atol=1e-6)
    for p in layer.parameters():
        assert np.allclose(p.grad.data, numerical_gradient(loss, p.data), atol=1e-6)
        assert not p.grad.data[4:].any(), "position 4 was not used"


def test_tokens_to_vectors_end_to_end():
    tokenizer = BPETokenizer().train("a model reads numbers. " * 20, vocab_size=280)
    ids, mask = tokenizer.encode_batch(["a model reads", "numbers 🙂"], bos=True, eos=True)
    embedding = Embedding(tokenizer.vocab_size, 8, padding_idx=tokenizer.pad_id, seed=0)
    x = SinusoidalPositionalEncoding(64, 8)(embedding(ids))
    assert x.shape == ids.shape + (8,)
    assert np.allclose(x.data[0, 0], x.data[1, 0]), "<bos> at position 0 is the same vector in both texts"
    first_token_elsewhere = SinusoidalPositionalEncoding(64, 8)(embedding(Tensor(ids.data[:, 1:], dtype=np.int64)))
    assert not np.allclose(first_token_elsewhere.data[0, 0], x.data[0, 1]), "the same token, another position"
