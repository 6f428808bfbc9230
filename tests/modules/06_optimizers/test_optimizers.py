"""Module 06 — optimizers: SGD (momentum, weight decay), Adam, AdamW, zero_grad, state_dict."""
import numpy as np
import pytest

from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.activations import Tanh
from tinytorch.core.losses import MSELoss
from tinytorch.core.optimizers import SGD, Adam, AdamW, Optimizer
from tinytorch.core.tensor import Tensor


def gradient_sequence(steps, shape, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for _ in range(steps)]


def run(optimizer_class, grads, start, **kwargs):
    p = Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    optimizer = optimizer_class([p], **kwargs)
    for g in grads:
        optimizer.zero_grad()
        p.grad = Tensor(g)
        optimizer.step()
    return p.data


def reference_adam(grads, start, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled=False):
    p = np.array(start, dtype=np.float64)
    m, v = np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if weight_decay and decoupled:
            p = p - lr * weight_decay * p
        elif weight_decay:
            g = g + weight_decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        p = p - lr * (m / (1 - betas[0] ** t)) / (np.sqrt(v / (1 - betas[1] ** t)) + eps)
    return p


# --- zero_grad and the base class --------------------------------------------------------------

def test_zero_grad_clears_all():
    params = [Tensor(np.ones(3), requires_grad=True) for _ in range(3)]
    for p in params:
        p.grad = Tensor(np.ones(3))
    SGD(params, lr=0.1).zero_grad()
    assert all(p.grad is None for p in params), "zero_grad() must set every parameter's grad to None"


def test_optimizer_rejects_non_tensors():
    p = Tensor([1.0], requires_grad=True)
    p.grad = Tensor([1.0])
    optimizer = SGD([p], lr=1.0)
    optimizer.step()
    assert np.allclose(p.data, [0.0])
    with pytest.raises(TypeError):
        SGD([np.ones(3)], lr=0.1)


def test_base_optimizer_step_is_abstract():
    p = Tensor([1.0], requires_grad=True)
    p.grad = Tensor([1.0])
    Optimizer([p], lr=0.1).zero_grad()
    assert p.grad is None
    with pytest.raises(NotImplementedError):
        Optimizer([p], lr=0.1).step()


# --- SGD ---------------------------------------------------------------------------------------

def test_sgd_single_step():
    result = run(SGD, [np.array([1.0, -2.0, 0.5])], [0.0, 0.0, 0.0], lr=0.1)
    assert np.allclose(result, [-0.1, 0.2, -0.05]), f"SGD: p - lr * g, expected [-0.1, 0.2, -0.05], got {result}"


def test_sgd_matches_reference_over_many_steps():
    grads = gradient_sequence(10, (2, 3))
    result = run(SGD, grads, np.ones((2, 3)), lr=0.05)
    expected = np.ones((2, 3)) - 0.05 * sum(grads)
    assert np.allclose(result, expected)


def test_sgd_momentum_matches_reference():
    grads = gradient_sequence(8, (4,), seed=1)
    result = run(SGD, grads, np.zeros(4), lr=0.1, momentum=0.9)
    p, v = np.zeros(4), np.zeros(4)
    for g in grads:
        v = 0.9 * v + g
        p = p - 0.1 * v
    assert np.allclose(result, p), f"momentum: v = mu*v + g; p -= lr*v. expected {p}, got {result}"


def test_sgd_momentum_accelerates_constant_gradient():
    plain = run(SGD, [np.array([1.0])] * 10, [0.0], lr=0.1)
    fast = run(SGD, [np.array([1.0])] * 10, [0.0], lr=0.1, momentum=0.9)
    assert fast[0] < plain[0] * 3, "with momentum a constant gradient must build up speed"


def test_sgd_weight_decay():
    result = run(SGD, [np.array([0.0])], [10.0], lr=0.1, weight_decay=0.5)
    assert np.allclose(result, [9.5]), f"weight decay adds wd*p to the gradient: 10 - 0.1*0.5*10 = 9.5, got {result}"


def test_sgd_without_momentum_keeps_no_state():
    p = Tensor(np.ones(5), requires_grad=True)
    p.grad = Tensor(np.ones(5))
    optimizer = SGD([p], lr=0.1)
    optimizer.step()
    assert optimizer.state == {}, "plain SGD needs no buffers: do not allocate velocity without momentum"
    momentum = SGD([p], lr=0.1, momentum=0.5)
    momentum.step()
    assert "velocity" in momentum.state and momentum.state["velocity"][0].shape == (5,)


def test_step_updates_in_place():
    layer = Linear(3, 2, seed=0)
    weight_before = layer.weight
    data_before = layer.weight.data.copy()
    layer.weight.grad = Tensor(np.ones((3, 2), dtype=np.float32))
    SGD(layer.parameters(), lr=0.1).step()
    assert layer.weight is weight_before, "the parameter object must stay the same (the model holds it)"
    assert np.allclose(layer.weight.data, data_before - 0.1), "step() must change p.data in place"
    assert layer.weight.dtype == np.float32, f"updates must keep float32, got {layer.weight.dtype}"


def test_parameters_without_grad_are_skipped():
    a, b = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    a.grad = Tensor([1.0])
    for optimizer in (SGD([a, b], lr=0.5, momentum=0.9), Adam([a, b], lr=0.5), AdamW([a, b], lr=0.5)):
        optimizer.step()
    assert np.allclose(b.data, [1.0]), f"a parameter whose grad is None must not move (AdamW decay included), got {b.data}"
    assert a.data[0] < 1.0


def test_step_count():
    p = Tensor([1.0], requires_grad=True)
    p.grad = Tensor([1.0])
    for optimizer in (SGD([p], lr=0.1), Adam([p])):
        for _ in range(3):
            optimizer.step()
        assert optimizer.step_count == 3, f"{type(optimizer).__name__}: step_count should be 3"


def test_learning_rate_can_change():
    p = Tensor([0.0], requires_grad=True)
    optimizer = SGD([p], lr=1.0)
    p.grad = Tensor([1.0])
    optimizer.step()
    optimizer.lr = 0.1
    optimizer.step()
    assert np.allclose(p.data, [-1.1]), "changing optimizer.lr must affect the next step"


# --- Adam / AdamW --------------------------------------------------------------------------------

def test_adam_first_step_size_is_lr():
    result = run(Adam, [np.array([1e3, 1e-3, -5.0])], np.zeros(3), lr=0.01)
    assert np.allclose(np.abs(result), 0.01, rtol=1e-3), \
        f"bias-corrected Adam moves every parameter by ~lr on the first step, got {result}"


def test_adam_matches_reference():
    grads = gradient_sequence(20, (3, 2), seed=2)
    result = run(Adam, grads, np.ones((3, 2)), lr=0.01)
    expected = reference_adam(grads, np.ones((3, 2)), lr=0.01)
    assert np.allclose(result, expected, atol=1e-10), f"Adam disagrees with the reference:\n{result}\n{expected}"


def test_adam_custom_betas():
    grads = gradient_sequence(5, (2,), seed=3)
    result = run(Adam, grads, np.zeros(2), lr=0.05, betas=(0.5, 0.9), eps=1e-6)
    assert np.allclose(result, reference_adam(grads, np.zeros(2), 0.05, betas=(0.5, 0.9), eps=1e-6))


def test_adam_l2_weight_decay():
    grads = gradient_sequence(6, (3,), seed=4)
    result = run(Adam, grads, np.ones(3) * 2, lr=0.01, weight_decay=0.1)
    expected = reference_adam(grads, np.ones(3) * 2, 0.01, weight_decay=0.1)
    assert np.allclose(result, expected), "Adam(weight_decay) adds wd * p to the gradient before the moments"


def test_adamw_decoupled_weight_decay():
    grads = gradient_sequence(6, (3,), seed=5)
    result = run(AdamW, grads, np.ones(3) * 2, lr=0.01, weight_decay=0.1)
    expected = reference_adam(grads, np.ones(3) * 2, 0.01, weight_decay=0.1, decoupled=True)
    assert np.allclose(result, expected), "AdamW shrinks p by lr * wd * p, then takes a plain Adam step"
    coupled = reference_adam(grads, np.ones(3) * 2, 0.01, weight_decay=0.1)
    assert not np.allclose(result, coupled), "AdamW must differ from Adam with L2 weight decay"


def test_adamw_default_weight_decay():
    p = Tensor([1.0], requires_grad=True)
    optimizer = AdamW([p])
    assert optimizer.weight_decay == 0.01 and optimizer.lr == 0.001
    p.grad = Tensor([0.0])
    optimizer.step()
    assert np.allclose(p.data, [1.0 - 0.001 * 0.01]), f"AdamW decays even with zero gradient, got {p.data}"


def test_adam_state_buffers():
    p = Tensor(np.ones((2, 2)), requires_grad=True)
    p.grad = Tensor(np.ones((2, 2)))
    optimizer = Adam([p])
    optimizer.step()
    assert set(optimizer.state) == {"m", "v"}, f"Adam keeps buffers 'm' and 'v', got {set(optimizer.state)}"
    assert np.allclose(optimizer.state["m"][0], 0.1), "after one step with g=1, m = (1 - 0.9) * 1 = 0.1"
    assert np.allclose(optimizer.state["v"][0], 0.001)


# --- state_dict ----------------------------------------------------------------------------------

def test_state_dict_resume_gives_identical_trajectory():
    grads = gradient_sequence(10, (3,), seed=6)
    uninterrupted = run(Adam, grads, np.zeros(3), lr=0.02)

    p = Tensor(np.zeros(3), requires_grad=True)
    first = Adam([p], lr=0.02)
    for g in grads[:5]:
        p.grad = Tensor(g)
        first.step()
    saved = first.state_dict()
    first.state["m"][0][:] = 123.0                      # the saved copy must not change
    resumed = Adam([p], lr=0.5)
    resumed.load_state_dict(saved)
    assert resumed.lr == 0.02 and resumed.step_count == 5
    for g in grads[5:]:
        p.grad = Tensor(g)
        resumed.step()
    assert np.allclose(p.data, uninterrupted), "resuming from state_dict must continue exactly where it stopped"


def test_load_state_dict_checks_shapes():
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = Tensor(np.ones(3))
    source = SGD([p], lr=0.1, momentum=0.9)
    source.step()
    target = SGD([Tensor(np.ones(4), requires_grad=True)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError):
        target.load_state_dict(source.state_dict())


# --- end to end ----------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: Adam(ps, lr=0.05),
    lambda ps: AdamW(ps, lr=0.05, weight_decay=1e-4),
], ids=["sgd-momentum", "adam", "adamw"])
def test_training_reduces_loss(make):
    rng = np.random.default_rng(0)
    x = Tensor(rng.uniform(-2, 2, size=(64, 1)).astype(np.float32))
    y = Tensor(np.sin(x.data))
    model = Sequential(Linear(1, 16, seed=0), Tanh(), Linear(16, 1, seed=1))
    optimizer = make(model.parameters())
    loss_fn = MSELoss()
    with no_grad():
        start = loss_fn(model(x), y).item()
    for _ in range(150):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    with no_grad():
        end = loss_fn(model(x), y).item()
    assert end < 0.1 * start, f"{type(optimizer).__name__}: loss should drop 10x fitting sin(x), went {start:.4f} -> {end:.4f}"
