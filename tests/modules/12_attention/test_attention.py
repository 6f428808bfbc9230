"""Module 12 — attention: boolean masks (True = may attend), a masked softmax that gives an empty row zeros instead
of NaN, scaled dot-product attention on (..., seq, dim) tensors, heads split and merged, MultiHeadAttention; every
gradient checked against finite differences."""
import numpy as np
import pytest

from tinytorch.core.activations import Softmax
from tinytorch.core.attention import (
    MultiHeadAttention, attention_weights, causal_mask, masked_softmax, merge_heads, padding_mask,
    scaled_dot_product_attention, split_heads,
)
from tinytorch.core.tensor import Tensor

RNG = np.random.default_rng(12)


def numerical_gradients(f, arrays, upstream, eps=1e-6):
    """Central differences of sum(f(arrays) * upstream) with respect to every array."""
    grads = []
    for i, array in enumerate(arrays):
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            values = [a.copy() for a in arrays]
            values[i][index] += eps
            plus = np.sum(f(*[Tensor(v) for v in values]).data * upstream)
            values[i][index] -= 2 * eps
            minus = np.sum(f(*[Tensor(v) for v in values]).data * upstream)
            grad[index] = (plus - minus) / (2 * eps)
        grads.append(grad)
    return grads


def check_gradients(f, *arrays, name="operation"):
    """Autograd against finite differences for every input of f (float64)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*tensors)
    assert out.requires_grad, f"{name}: the output must require grad"
    upstream = np.random.default_rng(0).normal(size=out.shape)
    out.backward(Tensor(upstream))
    for i, (tensor, numeric) in enumerate(zip(tensors, numerical_gradients(f, arrays, upstream))):
        assert tensor.grad is not None, f"{name}: input {i} got no gradient"
        assert tensor.grad.shape == arrays[i].shape, f"{name}: gradient of input {i} has shape {tensor.grad.shape}"
        assert np.allclose(tensor.grad.data, numeric, atol=1e-6, rtol=1e-5), (
            f"{name}: gradient of input {i}\nautograd:\n{tensor.grad.data}\nfinite differences:\n{numeric}")


def reference_attention(q, k, v, allowed=None):
    """Plain NumPy: softmax(q kᵀ/√d) v over the allowed keys, zeros for a query that may attend none."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    allowed = np.ones(scores.shape, bool) if allowed is None else np.broadcast_to(allowed, scores.shape)
    exps = np.where(allowed, np.exp(scores - scores.max(axis=-1, keepdims=True)), 0.0)
    totals = exps.sum(axis=-1, keepdims=True)
    weights = np.divide(exps, totals, out=np.zeros_like(exps), where=totals > 0)
    return weights @ v, weights


# --- masks -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, m", [(1, 1), (4, 4), (3, 5), (5, 3), (0, 0)])
def test_causal_mask_is_the_lower_triangle(n, m):
    mask = causal_mask(n, m)
    assert mask.dtype == np.bool_ and mask.shape == (n, m)
    assert np.array_equal(mask.data, np.tril(np.ones((n, m), dtype=bool))), "query i may attend keys 0..i"


@pytest.mark.parametrize("bad", [-1, 2.5, True, "4"])
def test_causal_mask_refuses_sizes_that_are_not_whole_numbers(bad):
    with pytest.raises(ValueError, match="whole number"):
        causal_mask(bad)
    with pytest.raises(ValueError, match="whole number"):
        causal_mask(3, bad)


def test_padding_mask_lets_every_query_see_the_real_keys_only():
    mask = padding_mask(Tensor([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]]))
    assert mask.shape == (2, 1, 3) and mask.dtype == np.bool_
    assert mask.data[:, 0].tolist() == [[True, True, False], [True, False, False]]
    with pytest.raises(ValueError, match=r"\(batch, seq\)"):
        padding_mask([1, 1, 0])


# --- masked softmax ----------------------------------------------------------------------------------------------

def test_masked_softmax_without_mask_is_module_02_softmax():
    scores = Tensor(RNG.normal(size=(3, 4, 5)).astype(np.float32))
    weights = masked_softmax(scores)
    assert weights.dtype == np.float32, "float32 scores give float32 weights"
    assert np.allclose(weights.data, Softmax(dim=-1)(scores).data, atol=1e-6)


def test_masked_softmax_forbidden_keys_get_exactly_zero_and_an_empty_row_gets_zeros_not_nan():
    scores = Tensor([[3.0, 1.0, 2.0], [3.0, 1.0, 2.0], [1e4, -1e4, 0.0]])
    allowed = np.array([[True, False, True], [False, False, False], [True, True, True]])
    weights = masked_softmax(scores, allowed).data
    assert weights[0, 1] == 0.0 and np.isclose(weights[0].sum(), 1.0)
    assert weights[1].tolist() == [0.0, 0.0, 0.0], "nothing allowed: zeros"
    assert np.all(np.isfinite(weights)) and np.isclose(weights[2, 0], 1.0), "huge scores neither overflow nor NaN"


def test_masked_softmax_ignores_the_scores_of_forbidden_keys_even_inf_and_nan():
    scores = Tensor([[1.0, np.inf, 2.0, np.nan]])
    weights = masked_softmax(scores, np.array([True, False, True, False])).data
    assert np.allclose(weights, [[1 / (1 + np.e), 0, np.e / (1 + np.e), 0]]), weights


@pytest.mark.parametrize("mask", [
    None,
    np.array([[True, False, True, True], [True, True, False, False], [False, True, True, True]]),
    np.array([[True, True, True, True], [False, False, False, False], [True, False, False, False]]),
    np.array([True, False, True, True]),     # broadcast over the rows
], ids=["no mask", "partial", "an empty row", "broadcast"])
def test_masked_softmax_gradient_matches_finite_differences(mask):
    check_gradients(lambda s: masked_softmax(s, mask), RNG.normal(size=(3, 4)), name="masked_softmax")


def test_a_mask_that_is_not_boolean_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match="padding_mask"):
        masked_softmax(Tensor(np.zeros((2, 2))), np.array([[1.0, 0.0], [0.0, -np.inf]]))
    with pytest.raises(TypeError, match="dtype=bool"):
        masked_softmax(Tensor(np.zeros((2, 2))), Tensor([[True, False], [True, True]]))   # float32 1.0/0.0
    with pytest.raises(ValueError, match=r"does not fit scores of shape \(2, 2\)"):
        masked_softmax(Tensor(np.zeros((2, 2))), np.ones((3, 2), dtype=bool))


# --- scaled dot-product attention --------------------------------------------------------------------------------

def test_attention_matches_a_numpy_reference_with_batch_heads_and_different_lengths():
    q, k, v = RNG.normal(size=(2, 3, 4, 8)), RNG.normal(size=(2, 3, 6, 8)), RNG.normal(size=(2, 3, 6, 5))
    allowed = RNG.random((2, 1, 4, 6)) > 0.3
    out = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask=allowed)
    expected, weights = reference_attention(q, k, v, allowed)
    assert out.shape == (2, 3, 4, 5), "(..., queries, value width)"
    assert np.allclose(out.data, expected), "softmax(q kᵀ / sqrt(d)) v over the allowed keys"
    assert np.allclose(attention_weights(Tensor(q), Tensor(k), mask=allowed).data, weights)


def test_scale_and_is_causal_combine_with_a_mask():
    q, k, v = (RNG.normal(size=(5, 4)) for _ in range(3))
    allowed = np.array([True, True, False, True, True])     # key 2 is padding
    out = scaled_dot_product_attention(Tensor(q), Tensor(k), Tensor(v), mask=allowed, is_causal=True, scale=0.5)
    scores = q @ k.T * 0.5
    both = np.tril(np.ones((5, 5), bool)) & allowed
    exps = np.where(both, np.exp(scores - scores.max(axis=-1, keepdims=True)), 0.0)
    assert np.allclose(out.data, exps / exps.sum(axis=-1, keepdims=True) @ v), "causal AND mask, scores times scale"


def test_causal_attention_never_reads_the_future():
    x = RNG.normal(size=(7, 4))
    later = x.copy()
    later[4:] = RNG.normal(size=(3, 4)) * 100
    a = scaled_dot_product_attention(Tensor(x), Tensor(x), Tensor(x), is_causal=True).data
    b = scaled_dot_product_attention(Tensor(later), Tensor(later), Tensor(later), is_causal=True).data
    assert np.allclose(a[:4], b[:4]), "outputs 0..3 depend on positions 0..3 only"
    assert not np.allclose(a[4:], b[4:])


def test_a_query_that_may_attend_nothing_gets_zeros_and_no_gradient_and_spoils_no_other_row():
    allowed = np.array([[True, True, False], [False, False, False], [True, True, True]])
    q, k, v = (Tensor(RNG.normal(size=(3, 2)), requires_grad=True) for _ in range(3))
    out = scaled_dot_product_attention(q, k, v, mask=allowed)
    assert out.data[1].tolist() == [0.0, 0.0]
    out.sum().backward()
    assert q.grad.data[1].tolist() == [0.0, 0.0], "the empty row sends no gradient to its query"
    assert all(np.all(np.isfinite(t.grad.data)) for t in (q, k, v)), "no NaN anywhere"
    no_keys = scaled_dot_product_attention(Tensor(np.ones((3, 4))), Tensor(np.ones((0, 4))), Tensor(np.ones((0, 2))))
    assert no_keys.data.tolist() == [[0.0, 0.0]] * 3, "no keys at all: every query gets zeros"


GRADIENT_CASES = {
    "plain": ((3, 2), (4, 2), (4, 3), {}),
    "causal": ((4, 3), (4, 3), (4, 2), {"is_causal": True}),
    "mask and causal": ((4, 2), (4, 2), (4, 2), {"is_causal": True, "mask": np.array([True, False, True, True])}),
    "batch and heads": ((2, 2, 3, 2), (2, 2, 3, 2), (2, 2, 3, 2), {}),
    "keys shared by the batch (broadcast)": ((2, 3, 2), (1, 3, 2), (1, 3, 2), {"is_causal": True}),
}


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=list(GRADIENT_CASES))
def test_attention_gradient_matches_finite_differences(case):
    q_shape, k_shape, v_shape, options = GRADIENT_CASES[case]
    check_gradients(lambda q, k, v: scaled_dot_product_attention(q, k, v, **options),
                    RNG.normal(size=q_shape), RNG.normal(size=k_shape), RNG.normal(size=v_shape), name=case)


@pytest.mark.parametrize("shapes, message", [
    (((3, 4), (3, 5), (3, 4)), "same last dimension"),
    (((3, 4), (3, 4), (2, 4)), "same number of positions"),
    (((4,), (3, 4), (3, 4)), r"\(\.\.\., seq, dim\)"),
])
def test_attention_refuses_shapes_that_do_not_fit(shapes, message):
    with pytest.raises(ValueError, match=message):
        scaled_dot_product_attention(*(Tensor(np.ones(s)) for s in shapes))


def test_attention_leaves_its_inputs_alone():
    q = RNG.normal(size=(3, 4))
    before = q.copy()
    scaled_dot_product_attention(Tensor(q), Tensor(q), Tensor(q), mask=np.eye(3, dtype=bool))
    assert np.array_equal(q, before)


# --- heads -------------------------------------------------------------------------------------------------------

def test_split_and_merge_heads_round_trip_with_gradients():
    check_gradients(lambda x: merge_heads(split_heads(x, 3)) * 2.0, RNG.normal(size=(2, 4, 6)), name="heads")
    heads = split_heads(Tensor(np.arange(12.0).reshape(1, 2, 6)), 3)
    assert heads.shape == (1, 3, 2, 2) and heads.data[0, 2, 1].tolist() == [10.0, 11.0], "head h holds dims h*d..h*d+d"


def test_multi_head_attention_is_the_projections_around_attention_per_head():
    mha = MultiHeadAttention(6, 3, seed=4)
    query, memory = RNG.normal(size=(2, 3, 6)).astype(np.float32), RNG.normal(size=(2, 5, 6)).astype(np.float32)
    out, weights = mha(Tensor(query), Tensor(memory), need_weights=True)
    project = lambda layer, x: x @ layer.weight.data + layer.bias.data  # noqa: E731
    q, k, v = (project(layer, x).reshape(2, -1, 3, 2).transpose(0, 2, 1, 3)
               for layer, x in ((mha.q_proj, query), (mha.k_proj, memory), (mha.v_proj, memory)))
    per_head, expected_weights = reference_attention(q, k, v)
    expected = project(mha.out_proj, per_head.transpose(0, 2, 1, 3).reshape(2, 3, 6))
    assert out.shape == (2, 3, 6) and weights.shape == (2, 3, 3, 5), "cross-attention: 3 queries, 5 keys, 3 heads"
    assert np.allclose(out.data, expected, atol=1e-5)
    assert np.allclose(weights.data, expected_weights, atol=1e-6)


def test_multi_head_attention_parameters_and_seed():
    mha = MultiHeadAttention(8, 4, seed=1)
    assert [p.shape for p in mha.parameters()] == [(8, 8), (8,)] * 4
    assert all(p.requires_grad for p in mha.parameters())
    assert [p.shape for p in MultiHeadAttention(8, 4, bias=False).parameters()] == [(8, 8)] * 4
    x = Tensor(RNG.normal(size=(1, 3, 8)))
    assert np.array_equal(mha(x).data, MultiHeadAttention(8, 4, seed=1)(x).data), "same seed, same layer"
    assert not np.allclose(mha(x).data, MultiHeadAttention(8, 4, seed=2)(x).data)
    assert not np.allclose(mha.q_proj.weight.data, mha.k_proj.weight.data), "each projection starts differently"


@pytest.mark.parametrize("embed_dim, num_heads, message", [
    (10, 3, "multiple of num_heads"), (8, 0, "at least 1"), (0, 1, "at least 1"), (8, 2.0, "whole number"),
])
def test_multi_head_attention_refuses_heads_that_do_not_split_embed_dim(embed_dim, num_heads, message):
    with pytest.raises(ValueError, match=message):
        MultiHeadAttention(embed_dim, num_heads)


def test_multi_head_attention_refuses_inputs_of_the_wrong_shape():
    mha = MultiHeadAttention(4, 2)
    with pytest.raises(ValueError, match=r"\(batch, seq, 4\)"):
        mha(Tensor(np.ones((3, 4))))
    with pytest.raises(ValueError, match=r"\(batch, seq, 4\)"):
        mha(Tensor(np.ones((1, 3, 5))))
    with pytest.raises(ValueError, match="batch of 2"):
        mha(Tensor(np.ones((1, 3, 4))), Tensor(np.ones((2, 3, 4))))


def test_multi_head_attention_masks_of_every_accepted_shape_agree():
    mha = MultiHeadAttention(4, 2, seed=3)
    x = Tensor(RNG.normal(size=(2, 3, 4)))
    real = np.array([[1, 1, 0], [1, 1, 1]])
    full = np.broadcast_to(real[:, None, :].astype(bool), (2, 3, 3))
    expected = mha(x, mask=padding_mask(real)).data
    for mask in (full, Tensor(full, dtype=bool), np.broadcast_to(full[:, None], (2, 2, 3, 3))):
        assert np.allclose(mha(x, mask=mask).data, expected)
    assert np.allclose(mha(x, mask=causal_mask(3)).data, mha(x, is_causal=True).data), "a (seq, seq) mask is for all"


def test_multi_head_attention_gradient_matches_finite_differences():
    mha = MultiHeadAttention(4, 2, seed=5)
    for p in mha.parameters():
        p.data = p.data.astype(np.float64)
    mask = padding_mask([[1, 1, 0], [1, 1, 1]])
    weight = mha.q_proj.weight

    def layer(x, w):
        original = mha.q_proj.weight
        mha.q_proj.weight = w
        try:
            return mha(x, mask=mask, is_causal=True)
        finally:
            mha.q_proj.weight = original

    check_gradients(layer, RNG.normal(size=(2, 3, 4)), weight.data, name="MultiHeadAttention")
