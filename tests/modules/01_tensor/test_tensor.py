"""Module 01 — Tensor: creation, shape, arithmetic with broadcasting, matmul, reshape/transpose, reductions,
indexing and NumPy interop (`np.asarray(t)`, `numpy()`, `item()`, `size()`)."""
import numpy as np
import pytest

from tinytorch.core.tensor import Tensor, ones, randn, zeros


# --- creation ---------------------------------------------------------------------------------

def test_scalar_has_empty_shape():
    t = Tensor(5)
    assert t.shape == (), f"a scalar tensor has shape (), got {t.shape}"
    assert t.ndim == 0, f"a scalar has 0 dimensions, got {t.ndim}"
    assert t.item() == 5.0


def test_nested_list_gives_matrix_shape():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3), f"expected shape (2, 3), got {t.shape}: rows first, then columns"
    assert t.ndim == 2
    assert t.numel() == 6, f"a (2, 3) tensor has 6 elements, numel() returned {t.numel()}"


def test_data_is_numpy_array():
    t = Tensor([1, 2, 3])
    assert isinstance(t.data, np.ndarray), f"self.data must be a NumPy array, got {type(t.data).__name__}"
    assert np.array_equal(t.numpy(), [1, 2, 3])


def test_default_dtype_is_float32():
    for data in (3, 2.5, [1, 2], [[1.5]], np.array([1, 2])):
        t = Tensor(data)
        assert t.dtype == np.float32, f"Tensor({data!r}) should be float32 by default, got {t.dtype}"


def test_float64_numpy_keeps_precision():
    t = Tensor(np.array([1e-10, 1.0], dtype=np.float64))
    assert t.dtype == np.float64, f"a float64 NumPy array should stay float64, got {t.dtype}"


def test_explicit_dtype_wins():
    t = Tensor([1, 2], dtype=np.float64)
    assert t.dtype == np.float64, f"dtype=np.float64 was requested, got {t.dtype}"


def test_tensor_from_tensor_copies():
    a = Tensor([1, 2, 3])
    b = Tensor(a)
    b.data[0] = 99
    assert a.data[0] == 1, "Tensor(other) shared memory with other: copy the data instead"


def test_tensor_from_list_does_not_alias_numpy_input():
    source = np.array([1.0, 2.0], dtype=np.float32)
    t = Tensor(source)
    t.data[0] = 42
    assert source[0] == 1.0, "Tensor(array) must not write through to the caller's array: use np.array (a copy)"


def test_gradient_attributes_start_empty():
    t = Tensor([1.0])
    assert t.requires_grad is False, "requires_grad should default to False"
    assert t.grad is None, "grad should start as None"
    assert t.grad_fn is None, "grad_fn should start as None"
    assert Tensor([1.0], requires_grad=True).requires_grad is True


def test_empty_tensor():
    t = Tensor([])
    assert t.shape == (0,) and t.numel() == 0, f"Tensor([]) should have shape (0,), got {t.shape}"


def test_item_rejects_many_elements():
    with pytest.raises(ValueError):
        Tensor([1, 2]).item()


def test_repr_mentions_tensor():
    assert repr(Tensor([1, 2])).startswith("Tensor("), "repr should look like Tensor([...])"
    assert "requires_grad=True" in repr(Tensor([1.0], requires_grad=True))


# --- arithmetic and broadcasting ---------------------------------------------------------------

def test_add_sub_mul_div_elementwise():
    a = Tensor([[1, 2], [3, 4]])
    b = Tensor([[2, 4], [6, 8]])
    assert np.allclose((a + b).data, [[3, 6], [9, 12]]), f"a + b wrong: {(a + b).data}"
    assert np.allclose((b - a).data, [[1, 2], [3, 4]]), f"b - a wrong: {(b - a).data}"
    assert np.allclose((a * b).data, [[2, 8], [18, 32]]), \
        f"a * b must multiply element by element (not matmul), got {(a * b).data}"
    assert np.allclose((b / a).data, [[2, 2], [2, 2]]), f"b / a wrong: {(b / a).data}"


def test_operations_return_new_tensors():
    a = Tensor([1, 2])
    b = Tensor([3, 4])
    c = a + b
    assert isinstance(c, Tensor), f"a + b must return a Tensor, got {type(c).__name__}"
    assert c is not a and c is not b
    assert np.allclose(a.data, [1, 2]), "a + b must not modify a"


def test_operations_with_python_numbers():
    a = Tensor([1, 2, 3])
    assert np.allclose((a + 1).data, [2, 3, 4])
    assert np.allclose((a - 1).data, [0, 1, 2])
    assert np.allclose((a * 2).data, [2, 4, 6])
    assert np.allclose((a / 2).data, [0.5, 1, 1.5])


def test_reflected_operations():
    a = Tensor([1, 2, 4])
    assert np.allclose((1 + a).data, [2, 3, 5]), "1 + a needs __radd__"
    assert np.allclose((10 - a).data, [9, 8, 6]), "10 - a must compute 10 minus each element (__rsub__)"
    assert np.allclose((3 * a).data, [3, 6, 12]), "3 * a needs __rmul__"
    assert np.allclose((8 / a).data, [8, 4, 2]), "8 / a must compute 8 divided by each element (__rtruediv__)"


def test_negation_and_power():
    a = Tensor([1, -2, 3])
    assert np.allclose((-a).data, [-1, 2, -3])
    assert np.allclose((a ** 2).data, [1, 4, 9])
    assert np.allclose((Tensor([4.0, 9.0]) ** 0.5).data, [2, 3]), "fractional powers should work"


def test_numpy_array_on_the_left():
    out = np.array([1.0, 2.0]) * Tensor([3.0, 4.0])
    assert isinstance(out, Tensor), \
        f"array * Tensor should give a Tensor (set __array_ufunc__ = None), got {type(out).__name__}"
    assert np.allclose(out.data, [3, 8])


def test_float32_stays_float32_after_ops():
    a = Tensor([1.0, 2.0])
    assert (a * 2.5).dtype == np.float32, f"float32 * number should stay float32, got {(a * 2.5).dtype}"
    assert (a + a).dtype == np.float32


def test_broadcast_row_vector_over_batch():
    batch = Tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    bias = Tensor([100, 200, 300])
    out = batch + bias
    assert out.shape == (4, 3), f"(4, 3) + (3,) should broadcast to (4, 3), got {out.shape}"
    assert np.allclose(out.data[:, 0] - batch.data[:, 0], 100), "the bias must be added to every row"


def test_broadcast_column_times_row():
    out = Tensor([[1], [2], [3]]) * Tensor([1, 10])
    assert out.shape == (3, 2), f"(3, 1) * (2,) should broadcast to (3, 2), got {out.shape}"
    assert np.allclose(out.data, [[1, 10], [2, 20], [3, 30]])


def test_broadcast_incompatible_shapes_raise():
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))) + Tensor(np.ones((4,)))


# --- matmul ------------------------------------------------------------------------------------

def test_matmul_2x2():
    a = Tensor([[1, 2], [3, 4]])
    b = Tensor([[5, 6], [7, 8]])
    assert np.allclose((a @ b).data, [[19, 22], [43, 50]]), f"[[1,2],[3,4]] @ [[5,6],[7,8]] gave {(a @ b).data}"


def test_matmul_rectangular_shape():
    a = Tensor(np.ones((2, 3), dtype=np.float32))
    b = Tensor(np.ones((3, 5), dtype=np.float32))
    c = a @ b
    assert c.shape == (2, 5), f"(2, 3) @ (3, 5) should be (2, 5), got {c.shape}"
    assert np.allclose(c.data, 3), "each entry should be a sum of 3 ones"


def test_matmul_is_not_elementwise():
    a = Tensor([[1, 2], [3, 4]])
    assert not np.allclose((a @ a).data, (a * a).data), "@ must be matrix multiplication, not element-wise *"


def test_matmul_method_matches_operator():
    rng = np.random.default_rng(0)
    a, b = Tensor(rng.normal(size=(3, 4))), Tensor(rng.normal(size=(4, 2)))
    assert np.allclose(a.matmul(b).data, (a @ b).data)
    assert np.allclose((a @ b).data, a.data @ b.data)


def test_matmul_matrix_vector():
    m = Tensor([[1, 2], [3, 4]])
    v = Tensor([1, 1])
    out = m @ v
    assert out.shape == (2,), f"(2, 2) @ (2,) should be (2,), got {out.shape}"
    assert np.allclose(out.data, [3, 7])


def test_matmul_batched():
    batch = Tensor(np.ones((5, 2, 3), dtype=np.float32))
    w = Tensor(np.ones((3, 4), dtype=np.float32))
    assert (batch @ w).shape == (5, 2, 4), f"(5, 2, 3) @ (3, 4) should be (5, 2, 4), got {(batch @ w).shape}"


def test_matmul_shape_mismatch_message():
    a = Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        a @ a
    assert "(2, 3)" in str(info.value), f"the error should name both shapes, got: {info.value}"


def test_matmul_rejects_scalars():
    with pytest.raises(ValueError):
        Tensor(2.0) @ Tensor([[1.0]])


# --- shape manipulation ------------------------------------------------------------------------

def test_reshape_keeps_order():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert np.allclose(t.reshape(3, 2).data, [[1, 2], [3, 4], [5, 6]]), "reshape must keep row-major order"
    assert t.reshape((6,)).shape == (6,), "reshape((6,)) with a tuple must work"
    assert t.reshape(-1).shape == (6,), "reshape(-1) flattens"
    assert t.reshape(2, -1, 1).shape == (2, 3, 1), "-1 should be inferred as 3"


def test_reshape_wrong_size_raises():
    with pytest.raises(ValueError) as info:
        Tensor([1, 2, 3]).reshape(2, 2)
    assert "(3,)" in str(info.value), f"the message should name the original shape, got: {info.value}"


def test_reshape_returns_independent_tensor():
    t = Tensor([1, 2, 3, 4])
    r = t.reshape(2, 2)
    assert r is not t and t.shape == (4,), "reshape must return a new tensor and leave the original alone"


def test_transpose_matrix():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    tt = t.transpose()
    assert tt.shape == (3, 2), f"transpose of (2, 3) must be (3, 2), got {tt.shape}"
    assert np.allclose(tt.data, [[1, 4], [2, 5], [3, 6]]), \
        f"transpose must swap rows and columns (did you reshape?), got {tt.data}"


def test_transpose_axes():
    t = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert t.transpose().shape == (2, 4, 3), "by default transpose swaps the last two axes"
    assert t.transpose(0, 2).shape == (4, 3, 2)
    assert np.allclose(t.transpose(0, 1).data, np.swapaxes(t.data, 0, 1))


# --- reductions --------------------------------------------------------------------------------

def test_sum_all_and_axes():
    x = Tensor([[1, 2, 3], [4, 5, 6]])
    assert x.sum().shape == (), f"sum() should be a scalar tensor, got shape {x.sum().shape}"
    assert np.isclose(x.sum().item(), 21)
    assert np.allclose(x.sum(axis=0).data, [5, 7, 9]), f"sum(axis=0) collapses rows, got {x.sum(axis=0).data}"
    assert np.allclose(x.sum(axis=1).data, [6, 15]), f"sum(axis=1) collapses columns, got {x.sum(axis=1).data}"


def test_keepdims():
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    assert x.sum(axis=1, keepdims=True).shape == (2, 1), "keepdims=True must keep the axis with size 1"
    assert x.mean(axis=0, keepdims=True).shape == (1, 3)
    assert x.max(axis=1, keepdims=True).shape == (2, 1)


def test_mean():
    x = Tensor([[1, 2], [3, 6]])
    assert np.isclose(x.mean().item(), 3.0)
    assert np.allclose(x.mean(axis=1).data, [1.5, 4.5])


def test_max():
    x = Tensor([[1, 9, 3], [7, 2, 8]])
    assert np.isclose(x.max().item(), 9)
    assert np.allclose(x.max(axis=0).data, [7, 9, 8])
    assert np.allclose(x.max(axis=1).data, [9, 8])


def test_negative_axis():
    x = Tensor(np.ones((2, 3, 4), dtype=np.float32))
    assert x.sum(axis=-1).shape == (2, 3), "axis=-1 means the last axis"


# --- creation helpers --------------------------------------------------------------------------

def test_zeros_and_ones():
    z = zeros(3, 2)
    assert z.shape == (3, 2) and np.all(z.data == 0)
    o = ones(2, 2, requires_grad=True)
    assert o.shape == (2, 2) and np.all(o.data == 1)
    assert o.requires_grad, "ones(..., requires_grad=True) should track gradients"
    assert z.dtype == np.float32 and o.dtype == np.float32


def test_randn_seed_reproducible():
    a = randn(4, 5, seed=123)
    b = randn(4, 5, seed=123)
    assert a.shape == (4, 5)
    assert np.array_equal(a.data, b.data), "randn with the same seed must give identical numbers"
    assert a.dtype == np.float32


def test_randn_is_roughly_standard_normal():
    r = randn(200, 200, seed=0)
    assert abs(float(r.data.mean())) < 0.05, f"randn should have mean ~0, got {r.data.mean():.3f}"
    assert abs(float(r.data.std()) - 1) < 0.05, f"randn should have std ~1, got {r.data.std():.3f}"


# --- indexing ----------------------------------------------------------------------------------

GRID = np.arange(12, dtype=np.float32).reshape(3, 4)


@pytest.mark.parametrize("index", [
    0, -1, (1, 2), (-1, -1), slice(1, None), (slice(None), slice(1, None)), (slice(None, None, -1), 0),
    (Ellipsis, 1), (None, 0), (slice(None), None, 2), [0, 0, 2], ([0, 2, 2], [1, 1, 3]), GRID > 5,
    (slice(0, 0),),
], ids=lambda index: repr(index)[:30])
def test_indexing_follows_numpy(index):
    t = Tensor(GRID)
    out = t[index]
    assert isinstance(out, Tensor), f"t[{index!r}] must return a Tensor, got {type(out).__name__}"
    expected = GRID[index]
    assert out.shape == expected.shape, f"t[{index!r}] has shape {out.shape}, NumPy gives {expected.shape}"
    assert np.array_equal(out.data, expected), f"t[{index!r}] gave {out.data}, NumPy gives {expected}"


def test_indexing_a_scalar_gives_a_0d_tensor():
    value = Tensor([[1, 2], [3, 4]])[1, 0]
    assert isinstance(value, Tensor) and value.shape == (), f"t[1, 0] is a 0-d Tensor, got shape {value.shape}"
    assert value.item() == 3.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_indexing_keeps_the_dtype(dtype):
    t = Tensor(np.array([[1, 0], [0, 1]]), dtype=dtype)
    assert t[0].dtype == dtype and t[0, 1].dtype == dtype, f"indexing a {np.dtype(dtype).name} tensor changed its dtype"


def test_indexing_returns_a_copy():
    t = Tensor([[1, 2], [3, 4]])
    row = t[0]
    row.data[:] = 99
    assert np.array_equal(t.data, [[1, 2], [3, 4]]), "t[0] shared memory with t: indexing must copy"


def test_indexing_with_a_tensor_of_positions():
    t = Tensor(GRID)
    picked = t[Tensor([2, 0, 2])]
    assert np.array_equal(picked.data, GRID[[2, 0, 2]]), "a Tensor of whole numbers (float32) must pick rows"
    assert np.array_equal(t[Tensor([1]), Tensor([3])].data, [7]), "tensors may index several axes"
    assert np.array_equal(t[Tensor(np.array([True, False, True]), dtype=bool)].data, GRID[[0, 2]]), \
        "a boolean Tensor is a mask"


@pytest.mark.parametrize("bad", [[0.5], [1.0, np.nan], [np.inf]])
def test_indexing_with_fractions_is_refused_clearly(bad):
    with pytest.raises(IndexError, match="whole numbers"):
        Tensor(GRID)[Tensor(bad)]


def test_index_out_of_range_raises_index_error():
    with pytest.raises(IndexError):
        Tensor([1, 2, 3])[3]


def test_iterating_gives_rows_as_tensors():
    rows = list(Tensor(GRID))
    assert len(rows) == 3 and all(isinstance(r, Tensor) for r in rows), "for row in t must give 3 Tensors"
    assert np.array_equal(rows[2].data, GRID[2])
    assert [r.item() for r in Tensor([1, 2])] == [1.0, 2.0]


def test_iterating_a_0d_tensor_is_an_error_not_an_empty_loop():
    with pytest.raises(TypeError, match="0-d"):
        list(Tensor(5))


# --- NumPy interop -----------------------------------------------------------------------------

def test_np_asarray_reads_the_data():
    t = Tensor([[1, 2], [3, 4]])
    array = np.asarray(t)
    assert type(array) is np.ndarray and array.dtype == np.float32, f"np.asarray(t) gave {type(array)} {array.dtype}"
    assert np.array_equal(array, [[1, 2], [3, 4]])
    assert np.shares_memory(array, t.data), "np.asarray(t) needs no copy (like t.numpy())"


def test_np_array_converts_and_copies():
    t = Tensor([1, 2])
    converted = np.array(t, dtype=np.float64)
    assert converted.dtype == np.float64 and np.array_equal(converted, [1, 2])
    copied = np.array(t)
    copied[0] = 50
    assert t.data[0] == 1.0, "np.array(t) copies by default: t must not change"


def test_np_copy_keyword_is_honoured():
    t = Tensor([1, 2])
    assert np.shares_memory(np.array(t, copy=False), t.data), "copy=False must not copy"
    assert not np.shares_memory(np.array(t, copy=True), t.data), "copy=True must copy"


def test_numpy_functions_accept_tensors():
    a, b = Tensor([1, 2]), Tensor([3, 4])
    assert np.stack([a, b]).shape == (2, 2), "np.stack must read tensors"
    assert np.concatenate([a, b]).tolist() == [1, 2, 3, 4]
    assert np.allclose(np.asarray([a, b]), [[1, 2], [3, 4]]), "a list of tensors becomes a 2-d array"
    assert Tensor([a, b]).shape == (2, 2), "Tensor([t, u]) stacks tensors"


def test_numpy_arithmetic_still_goes_to_tensor():
    out = np.array([1.0, 2.0]) + Tensor([1, 1])
    assert isinstance(out, Tensor), "array + tensor must stay a Tensor (Tensor.__radd__), not become an array"


def test_item_and_numpy():
    t = Tensor([[7.5]])
    assert t.item() == 7.5 and type(t.item()) is float, "item() is a Python float"
    assert t.numpy() is t.data, "numpy() returns the data itself"


def test_size_is_the_shape():
    t = Tensor(np.zeros((2, 3, 4)))
    assert t.size() == (2, 3, 4), f"size() is the shape, got {t.size()}"
    assert [t.size(d) for d in (0, 1, 2, -1, -3)] == [2, 3, 4, 4, 2], "size(dim) is one dimension's size"
    assert Tensor(1.0).size() == (), "a scalar has size ()"


@pytest.mark.parametrize("dim", [3, -4, 10])
def test_size_of_a_missing_dimension_says_which_exist(dim):
    with pytest.raises(IndexError, match=r"\(2, 3, 4\)"):
        Tensor(np.zeros((2, 3, 4))).size(dim)
