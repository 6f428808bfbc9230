"""Can I make every position of a sequence attend to the others?

Capability: scaled dot-product attention and multi-head attention in which each position mixes in the others by
learned relevance, never reads the future under a causal mask, never reads padding, and learns by gradient descent
to find the position that holds what it needs.
"""
import numpy as np

from tinytorch.core.attention import MultiHeadAttention, causal_mask, padding_mask
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor


def test_every_position_sees_the_others_but_not_the_future_or_the_padding():
    mha = MultiHeadAttention(8, 2, seed=0)
    x = np.random.default_rng(0).normal(size=(1, 6, 8))
    changed = x.copy()
    changed[0, 5] += 3.0
    before, after = mha(Tensor(x)).data, mha(Tensor(changed)).data
    assert not np.allclose(before[0, 0], after[0, 0]), "position 0 reads position 5"
    before, after = mha(Tensor(x), mask=causal_mask(6)).data, mha(Tensor(changed), mask=causal_mask(6)).data
    assert np.allclose(before[0, :5], after[0, :5]), "with the causal mask, no position reads a later one"
    padded = padding_mask([[1, 1, 1, 1, 1, 0]])
    before, after = mha(Tensor(x), mask=padded).data, mha(Tensor(changed), mask=padded).data
    assert np.allclose(before[0, :5], after[0, :5]), "no position reads the padding"


def test_attention_learns_to_find_the_marked_position():
    """Each sequence marks one position (feature 6); every position must output the content of the marked one."""
    rng = np.random.default_rng(1)

    def batch(size=32, length=6):
        x = np.zeros((size, length, 8), dtype=np.float32)
        x[..., :6] = rng.normal(size=(size, length, 6))
        marked = rng.integers(0, length, size=size)
        x[np.arange(size), marked, 6] = 1.0
        x[..., 7] = 1.0
        return Tensor(x), Tensor(np.repeat(x[np.arange(size), marked, None, :6], length, axis=1))

    mha = MultiHeadAttention(8, 2, seed=0)
    optimizer = Adam(mha.parameters(), lr=0.02)
    for _ in range(300):
        x, target = batch()
        loss = ((mha(x)[..., :6] - target) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    x, target = batch(size=256)
    error = float(np.mean((mha(x).data[..., :6] - target.data) ** 2))
    position_blind = float(np.mean((x.data[..., :6].mean(axis=1, keepdims=True) - target.data) ** 2))
    assert error < position_blind / 100, (
        f"after training, error {error:.4f}; averaging every position (no attention) gives {position_blind:.4f}")
