"""Module 05 — autograd: every supported operation is checked against finite differences,
then the behaviour of the backward pass itself (accumulation, reuse, no_grad, errors)."""
import numpy as np
import pytest

from tinytorch.core.activations import GELU, ReLU, Sigmoid, Softmax, Tanh
from tinytorch.core.autograd import no_grad, unbroadcast
from tinytorch.core.layers import Dropout, Linear, Sequential
from tinytorch.core.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss
from tinytorch.core.tensor import Tensor


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


def check_gradients(f, *arrays, seed=0, atol=1e-6, rtol=1e-5, name="operation"):
    """Compare autograd with finite differences for every input of f (float64 arrays)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*tensors)
    assert out.requires_grad, f"{name}: the output of an operation on requires_grad tensors must require grad"
    upstream = np.random.default_rng(seed).normal(size=out.shape)
    out.backward(Tensor(upstream))
    expected = numerical_gradients(f, arrays, upstream)
    for i, (tensor, numeric) in enumerate(zip(tensors, expected)):
        assert tensor.grad is not None, f"{name}: input {i} got no gradient (.grad is None)"
        assert tensor.grad.shape == arrays[i].shape, \
            f"{name}: gradient of input {i} has shape {tensor.grad.shape}, expected {arrays[i].shape} (unbroadcast?)"
        assert np.allclose(tensor.grad.data, numeric, atol=atol, rtol=rtol), \
            f"{name}: gradient of input {i} is wrong\nautograd:\n{tensor.grad.data}\nfinite differences:\n{numeric}"


def rand(*shape, seed=1, away_from_zero=False):
    values = np.random.default_rng(seed).normal(size=shape)
    if away_from_zero:
        values = np.sign(values) * (np.abs(values) + 0.2)
    return values


# --- arithmetic --------------------------------------------------------------------------------

def test_grad_add():
    check_gradients(lambda a, b: a + b, rand(3, 4), rand(3, 4, seed=2), name="a + b")


def test_grad_add_broadcast_row():
    check_gradients(lambda a, b: a + b, rand(5, 3), rand(3, seed=2), name="(5, 3) + (3,)")


def test_grad_add_broadcast_column_and_row():
    check_gradients(lambda a, b: a + b, rand(4, 1), rand(1, 3, seed=2), name="(4, 1) + (1, 3)")


def test_grad_sub():
    check_gradients(lambda a, b: a - b, rand(3, 2), rand(2, seed=2), name="a - b")


def test_grad_mul():
    check_gradients(lambda a, b: a * b, rand(3, 4), rand(3, 4, seed=2), name="a * b")


def test_grad_mul_broadcast():
    check_gradients(lambda a, b: a * b, rand(2, 3, 4), rand(4, seed=2), name="(2, 3, 4) * (4,)")


def test_grad_div():
    check_gradients(lambda a, b: a / b, rand(3, 3), rand(3, 3, seed=2, away_from_zero=True), name="a / b")


def test_grad_div_broadcast():
    check_gradients(lambda a, b: a / b, rand(4, 2), rand(2, seed=2, away_from_zero=True), name="(4, 2) / (2,)")


def test_grad_scalar_operands():
    check_gradients(lambda a: a * 3.0 + 2.0 - a / 4.0, rand(2, 3), name="a * 3 + 2 - a / 4")


def test_grad_reflected_operators():
    check_gradients(lambda a: 2.0 - a, rand(3), name="2 - a (__rsub__)")
    check_gradients(lambda a: 1.0 / a, rand(3, away_from_zero=True), name="1 / a (__rtruediv__)")
    check_gradients(lambda a: 3.0 * a + 1.0, rand(3), name="3 * a + 1")


def test_grad_neg():
    check_gradients(lambda a: -a, rand(2, 2), name="-a")


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1])
def test_grad_pow(exponent):
    base = np.abs(rand(3, 2)) + 0.5
    check_gradients(lambda a: a ** exponent, base, name=f"a ** {exponent}")


# --- matmul ------------------------------------------------------------------------------------

def test_grad_matmul():
    check_gradients(lambda a, b: a @ b, rand(3, 4), rand(4, 2, seed=2), name="(3, 4) @ (4, 2)")


def test_grad_matmul_method():
    check_gradients(lambda a, b: a.matmul(b), rand(2, 3), rand(3, 5, seed=2), name="a.matmul(b)")


def test_grad_matmul_matrix_vector():
    check_gradients(lambda a, b: a @ b, rand(3, 4), rand(4, seed=2), name="(3, 4) @ (4,)")


def test_grad_matmul_vector_matrix():
    check_gradients(lambda a, b: a @ b, rand(4), rand(4, 2, seed=2), name="(4,) @ (4, 2)")


def test_grad_matmul_vector_vector():
    check_gradients(lambda a, b: a @ b, rand(5), rand(5, seed=2), name="(5,) @ (5,)")


def test_grad_matmul_batched():
    check_gradients(lambda a, b: a @ b, rand(2, 3, 4), rand(4, 2, seed=2), name="(2, 3, 4) @ (4, 2)")


# --- reductions and shapes ---------------------------------------------------------------------

@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, False), (1, True), (-1, False), ((0, 1), False)])
def test_grad_sum(axis, keepdims):
    check_gradients(lambda a: a.sum(axis=axis, keepdims=keepdims), rand(3, 4, 2),
                    name=f"sum(axis={axis}, keepdims={keepdims})")


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (2, True), (-2, False)])
def test_grad_mean(axis, keepdims):
    check_gradients(lambda a: a.mean(axis=axis, keepdims=keepdims), rand(3, 4, 2),
                    name=f"mean(axis={axis}, keepdims={keepdims})")


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True)])
def test_grad_max(axis, keepdims):
    values = np.random.default_rng(3).permutation(12).reshape(3, 4).astype(np.float64)  # no ties
    check_gradients(lambda a: a.max(axis=axis, keepdims=keepdims), values, name=f"max(axis={axis})")


def test_grad_max_splits_ties():
    x = Tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    x.max().backward()
    assert np.allclose(x.grad.data, [[0, 0.5, 0.5]]), f"tied maxima should share the gradient, got {x.grad.data}"


def test_grad_reshape():
    check_gradients(lambda a: a.reshape(4, 3) * Tensor(np.arange(12.0).reshape(4, 3)), rand(2, 6), name="reshape")
    check_gradients(lambda a: a.reshape(-1), rand(2, 3), name="reshape(-1)")


def test_grad_transpose():
    check_gradients(lambda a: a.transpose(), rand(3, 5), name="transpose()")
    check_gradients(lambda a: a.transpose(0, 2), rand(2, 3, 4), name="transpose(0, 2)")


# --- indexing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [
    0, -1, (1, 2), slice(1, None), (slice(None), slice(1, None)), (slice(None, None, -1), slice(None, None, 2)),
    (Ellipsis, 1), (None, 0), (slice(None), None, 2), [0, 0, 2], ([0, 2, 2], [1, 1, 3]), ([1, 1], slice(2, None)),
    np.arange(12).reshape(3, 4) % 3 == 0, np.array([[2, 2], [0, 2]]), (slice(0, 0),),
], ids=lambda index: repr(index).replace("\n", "")[:30])
def test_grad_getitem(index):
    check_gradients(lambda a: a[index], rand(3, 4), name=f"x[{index!r}]")


def test_grad_getitem_with_a_tensor_of_positions():
    check_gradients(lambda a: a[Tensor([2, 0, 2])], rand(3, 4), name="x[Tensor([2, 0, 2])]")


def test_grad_getitem_inside_a_computation():
    """A slice feeding a matmul and a row used twice: the shape of code in attention layers."""
    def f(x, w):
        head = x[:, :2] @ w
        return head[1:] * head[0] + x[0, 3]
    check_gradients(f, rand(3, 4), rand(2, 5, seed=2), name="x[:, :2] @ w, sliced again")


def test_grad_getitem_repeated_index_accumulates():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 0, 2]].sum().backward()
    assert np.array_equal(x.grad.data, [3.0, 0.0, 1.0]), \
        f"x[[0, 0, 0, 2]]: element 0 was picked 3 times (np.add.at, not grad[index] += g), got {x.grad.data}"


def test_grad_getitem_uses_the_index_of_the_forward_pass():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = np.array([0, 1])
    y = x[index]
    index[:] = 2                                    # the caller reuses its array before backward()
    y.sum().backward()
    assert np.array_equal(x.grad.data, [1.0, 1.0, 0.0]), f"the gradient must go where y came from, got {x.grad.data}"


def test_grad_flows_through_iteration():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = Tensor(0.0)
    for row in x:
        total = total + (row * row).sum()
    total.backward()
    assert np.allclose(x.grad.data, 2 * x.data), f"for row in x: each row's gradient is 2 * row, got {x.grad.data}"


def test_getitem_records_only_when_needed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert x[0].requires_grad and x[0].grad_fn is not None, "x[0] of a requires_grad tensor must record grad_fn"
    assert Tensor([1.0, 2.0])[0].grad_fn is None, "indexing a constant records nothing"
    with no_grad():
        assert x[0].grad_fn is None, "inside no_grad() indexing records nothing"


def test_getitem_gradient_keeps_float32():
    w = Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    w[[1, 3]].sum().backward()
    assert w.grad.dtype == np.float32 and w.grad.shape == (4, 3), f"got {w.grad.dtype} {w.grad.shape}"
    assert np.array_equal(w.grad.data.sum(axis=1), [0, 3, 0, 3])


# --- activations -------------------------------------------------------------------------------

def test_grad_relu():
    check_gradients(lambda a: ReLU()(a), rand(4, 5, away_from_zero=True), name="ReLU")


def test_grad_sigmoid():
    check_gradients(lambda a: Sigmoid()(a), rand(4, 5) * 3, name="Sigmoid")


def test_grad_tanh():
    check_gradients(lambda a: Tanh()(a), rand(4, 5) * 2, name="Tanh")


def test_grad_gelu():
    check_gradients(lambda a: GELU()(a), rand(4, 5) * 2, name="GELU")


def test_grad_softmax():
    check_gradients(lambda a: Softmax()(a), rand(3, 4), name="Softmax(dim=-1)")


def test_grad_softmax_dim0():
    check_gradients(lambda a: Softmax(dim=0)(a), rand(3, 4), name="Softmax(dim=0)")


# --- losses ------------------------------------------------------------------------------------

def test_grad_mse():
    target = rand(4, 2, seed=5)
    check_gradients(lambda a: MSELoss()(a, Tensor(target)), rand(4, 2), name="MSELoss")


def test_grad_cross_entropy_indices():
    labels = np.array([2, 0, 1, 2, 3])
    check_gradients(lambda a: CrossEntropyLoss()(a, labels), rand(5, 4) * 2, name="CrossEntropyLoss (indices)")


def test_grad_cross_entropy_probabilities():
    target = np.random.default_rng(4).dirichlet(np.ones(3), size=4)
    check_gradients(lambda a: CrossEntropyLoss()(a, Tensor(target)), rand(4, 3), name="CrossEntropyLoss (soft)")


def test_grad_bce():
    probabilities = np.random.default_rng(6).uniform(0.05, 0.95, size=(6, 1))
    labels = np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0]])
    check_gradients(lambda p: BinaryCrossEntropyLoss()(p, Tensor(labels)), probabilities, name="BinaryCrossEntropyLoss")


def test_grad_loss_ignores_targets():
    target = Tensor([1.0, 2.0], requires_grad=True)
    prediction = Tensor([0.0, 0.0], requires_grad=True)
    MSELoss()(prediction, target).backward()
    assert prediction.grad is not None
    assert target.grad is None, "targets are constants: losses give gradients to the predictions only"


# --- composites --------------------------------------------------------------------------------

def test_grad_linear_layer():
    layer = Linear(3, 2, seed=0)
    w0, b0 = layer.weight.data.astype(np.float64), layer.bias.data.astype(np.float64)

    def through_layer(x, w, b):
        layer.weight, layer.bias = w, b
        return layer(x)

    check_gradients(through_layer, rand(4, 3), w0, b0, name="Linear")


def test_grad_mlp_with_cross_entropy():
    labels = np.array([0, 2, 1])

    def network(x, w1, b1, w2):
        return CrossEntropyLoss()(Tanh()(x @ w1 + b1) @ w2, labels)

    check_gradients(network, rand(3, 4), rand(4, 5, seed=2) * 0.5, rand(5, seed=3), rand(5, 3, seed=4),
                    name="tanh MLP + cross-entropy")


def test_grad_through_dropout_uses_mask():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    out = Dropout(0.5, seed=0)(x)
    out.sum().backward()
    kept = out.data != 0
    assert np.allclose(x.grad.data[kept], 2.0), "kept elements pass gradient scaled by 1/(1-p)"
    assert np.allclose(x.grad.data[~kept], 0.0), "dropped elements must get zero gradient"


def test_sequential_parameters_all_receive_gradients():
    model = Sequential(Linear(4, 8, seed=0), ReLU(), Linear(8, 3, seed=1))
    loss = CrossEntropyLoss()(model(Tensor(rand(6, 4))), np.array([0, 1, 2, 0, 1, 2]))
    loss.backward()
    for i, p in enumerate(model.parameters()):
        assert p.grad is not None, f"parameter {i} of the MLP got no gradient"
        assert p.grad.shape == p.shape, f"parameter {i}: gradient shape {p.grad.shape} != parameter shape {p.shape}"
        assert p.grad.dtype == p.dtype, f"parameter {i}: gradient dtype {p.grad.dtype} != parameter dtype {p.dtype}"


# --- the backward pass itself --------------------------------------------------------------------

def test_scalar_backward_seeds_with_one():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    assert np.allclose(x.grad.data, [2, 4, 6]), f"d sum(x²)/dx = 2x, got {x.grad.data}"


def test_backward_needs_scalar_or_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(Tensor([1.0, 1.0]))
    assert np.allclose(x.grad.data, [2, 2])
    with pytest.raises(RuntimeError) as info:
        (x * 2).backward()
    assert "scalar" in str(info.value), f"say that a gradient is needed for non-scalar outputs, got: {info.value!r}"


def test_backward_with_explicit_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).backward(Tensor([1.0, 10.0]))
    assert np.allclose(x.grad.data, [3, 30])


def test_gradients_accumulate_across_backward_calls():
    x = Tensor([1.0, 1.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert np.allclose(x.grad.data, [4, 4]), "a second backward() must add to .grad (like PyTorch), not replace it"


def test_reused_tensor_sums_contributions():
    x = Tensor([3.0], requires_grad=True)
    y = x * x + x * 4 + x
    y.sum().backward()
    assert np.allclose(x.grad.data, [2 * 3 + 4 + 1]), f"d(x² + 4x + x)/dx = 2x + 5 = 11, got {x.grad.data}"


def test_diamond_graph():
    x = Tensor([2.0], requires_grad=True)
    a = x * 3
    b = x * 5
    (a * b).sum().backward()           # 15 x² -> 30 x = 60
    assert np.allclose(x.grad.data, [60.0]), f"diamond graph: expected 60, got {x.grad.data}"


def test_only_leaves_get_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 2
    hidden.sum().backward()
    assert x.grad is not None
    assert hidden.grad is None, "like PyTorch, intermediate results do not keep .grad"


def test_constants_get_no_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([5.0, 5.0])
    (x * c).sum().backward()
    assert c.grad is None, "a tensor without requires_grad must not receive a gradient"


def test_requires_grad_propagates():
    x = Tensor([1.0], requires_grad=True)
    y = x + 1
    assert y.requires_grad and y.grad_fn is not None
    constant = Tensor([1.0]) + 1
    assert not constant.requires_grad and constant.grad_fn is None, "constants stay constants"
    with pytest.raises(RuntimeError):
        constant.sum().backward()
    (y * constant).sum().backward()
    assert np.allclose(x.grad.data, [2.0])


def test_no_grad_records_nothing():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2
        z = ReLU()(x)
    assert y.grad_fn is None and not y.requires_grad, "inside no_grad() operations must not record a graph"
    assert z.grad_fn is None
    assert (x * 2).grad_fn is not None, "recording must resume after the no_grad block"
    (x * 2).sum().backward()
    assert np.allclose(x.grad.data, [2.0])


def test_deep_chain_has_no_recursion_limit():
    x = Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y + 0.0
    y.sum().backward()
    assert np.allclose(x.grad.data, [1.0]), "backward through 3000 additions (use an explicit stack, not recursion)"


def test_float32_parameters_get_float32_gradients():
    w = Tensor(np.ones((2, 2), dtype=np.float32), requires_grad=True)
    (Tensor(np.ones((3, 2))) @ w).sum().backward()
    assert w.grad.dtype == np.float32, f"the gradient should have the parameter's dtype float32, got {w.grad.dtype}"


def test_unbroadcast_function():
    grad = np.arange(12.0).reshape(2, 3, 2)
    assert unbroadcast(grad, (2, 3, 2)).shape == (2, 3, 2)
    assert np.allclose(unbroadcast(grad, (2,)), grad.sum(axis=(0, 1)))
    assert np.allclose(unbroadcast(grad, (3, 1)), grad.sum(axis=0).sum(axis=1, keepdims=True))
    assert np.allclose(unbroadcast(grad, (1, 3, 2)), grad.sum(axis=0, keepdims=True))
