"""Module 09 — spatial: im2col/col2im against their definitions, Conv2d and pooling against loops over pixels,
every backward against finite differences, then the edges: bad shapes and arguments, ties, padding,
dtypes, views, and a first layer whose images need no gradient."""
import numpy as np
import pytest

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.spatial import AvgPool2d, Conv2d, Conv2dBackward, Flatten, MaxPool2d, col2im, im2col
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
            f"{name}: gradient of input {i} has shape {tensor.grad.shape}, expected {arrays[i].shape}"
        assert np.allclose(tensor.grad.data, numeric, atol=atol, rtol=rtol), \
            f"{name}: gradient of input {i} is wrong\nautograd:\n{tensor.grad.data}\nfinite differences:\n{numeric}"


def rand(*shape, seed=1):
    return np.random.default_rng(seed).normal(size=shape)


def as_pair(value):
    return (value, value) if isinstance(value, int) else value


def loop_conv2d(x, weight, bias, stride=1, padding=0):
    """The definition of a convolution (cross-correlation), one output pixel at a time."""
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, _, h, w = x.shape
    f, _, kh, kw = weight.shape
    out = np.zeros((n, f, (h - kh) // sh + 1, (w - kw) // sw + 1))
    for b in range(n):
        for k in range(f):
            for i in range(out.shape[2]):
                for j in range(out.shape[3]):
                    window = x[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    out[b, k, i, j] = np.sum(window * weight[k]) + (0 if bias is None else bias[k])
    return out


def loop_pool(x, kernel, stride, padding, reduce, fill):
    (kh, kw), (sh, sw), (ph, pw) = as_pair(kernel), as_pair(stride), as_pair(padding)
    x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - kh) // sh + 1, (w - kw) // sw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = reduce(x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(2, 3))
    return out


def conv_with(weight, bias=None, stride=1, padding=0):
    """A Conv2d whose parameters are the given tensors (so finite differences can vary them)."""
    f, c, kh, kw = weight.shape
    conv = Conv2d(c, f, kernel_size=(kh, kw), stride=stride, padding=padding, bias=bias is not None)
    conv.weight, conv.bias = weight, bias
    return conv


GEOMETRIES = [  # (input shape, kernel, stride, padding)
    ((2, 3, 5, 6), 3, 1, 0),
    ((1, 2, 7, 7), (3, 2), 2, 1),
    ((2, 1, 4, 4), 2, 2, 0),
    ((1, 2, 6, 5), (2, 3), (2, 1), (1, 2)),
    ((3, 4, 3, 3), 1, 1, 0),
    ((1, 1, 5, 5), 5, 1, 0),        # the window covers the whole image: one output pixel
    ((1, 1, 6, 6), 3, 2, 0),        # stride does not divide evenly: the last column is dropped (floor)
]


# --- im2col and col2im --------------------------------------------------------------------------

@pytest.mark.parametrize("shape, kernel, stride, padding", GEOMETRIES)
def test_im2col_rows_are_the_windows(shape, kernel, stride, padding):
    x = rand(*shape)
    cols, out_h, out_w = im2col(x, kernel, stride, padding)
    (kh, kw), (sh, sw), (ph, pw) = as_pair(kernel), as_pair(stride), as_pair(padding)
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    assert (out_h, out_w) == ((shape[2] + 2 * ph - kh) // sh + 1, (shape[3] + 2 * pw - kw) // sw + 1)
    assert cols.shape == (shape[0] * out_h * out_w, shape[1] * kh * kw)
    for n in range(shape[0]):
        for i in range(out_h):
            for j in range(out_w):
                window = padded[n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                assert np.array_equal(cols[(n * out_h + i) * out_w + j], window.ravel()), (n, i, j)


def test_im2col_does_not_change_its_input():
    x = rand(2, 2, 4, 4)
    before = x.copy()
    cols, _, _ = im2col(x, 2, padding=1)
    cols[:] = 0
    assert np.array_equal(x, before), "im2col must copy: writing into cols must not touch the images"


@pytest.mark.parametrize("shape, kernel, stride, padding", GEOMETRIES)
def test_col2im_is_the_adjoint_of_im2col(shape, kernel, stride, padding):
    x = rand(*shape)
    cols, _, _ = im2col(x, kernel, stride, padding)
    c = rand(*cols.shape, seed=2)
    back = col2im(c, shape, kernel, stride, padding)
    assert back.shape == shape
    assert np.isclose(np.sum(cols * c), np.sum(x * back)), "<im2col(x), c> must equal <x, col2im(c)>"


def test_col2im_counts_overlapping_windows():
    cols, _, _ = im2col(np.ones((1, 1, 4, 4)), 3)
    counts = col2im(np.ones_like(cols), (1, 1, 4, 4), 3)
    assert np.array_equal(counts[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


# --- Conv2d forward --------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, kernel, stride, padding", GEOMETRIES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_the_definition(shape, kernel, stride, padding, bias):
    conv = Conv2d(shape[1], 3, kernel_size=kernel, stride=stride, padding=padding, bias=bias, seed=4)
    x = rand(*shape).astype(np.float32)
    out = conv(Tensor(x))
    expected = loop_conv2d(x, conv.weight.data, None if conv.bias is None else conv.bias.data, stride, padding)
    assert out.shape == expected.shape
    assert np.allclose(out.data, expected, atol=1e-5)


def test_conv2d_parameters_follow_pytorch():
    conv = Conv2d(3, 8, kernel_size=5, seed=0)
    assert conv.weight.shape == (8, 3, 5, 5) and conv.bias.shape == (8,)
    assert conv.parameters() == [conv.weight, conv.bias]
    assert all(p.requires_grad and p.dtype == np.float32 for p in conv.parameters())
    bound = 1 / np.sqrt(3 * 5 * 5)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.weight.data).std() > bound / 4
    assert Conv2d(3, 8, (3, 1), stride=(2, 1), padding=(1, 0)).kernel_size == (3, 1)
    assert Conv2d(3, 8, 3, bias=False).parameters()[0].shape == (8, 3, 3, 3)
    assert len(Conv2d(3, 8, 3, bias=False).parameters()) == 1
    assert np.array_equal(Conv2d(2, 2, 3, seed=7).weight.data, Conv2d(2, 2, 3, seed=7).weight.data), "same seed"
    assert "Conv2d(3, 8" in repr(conv)


def test_conv2d_keeps_float32_and_float64():
    conv = Conv2d(1, 2, 3, seed=0)
    assert conv(Tensor(np.ones((1, 1, 4, 4), dtype=np.float32))).dtype == np.float32, \
        "float32 images through float32 weights stay float32 (half the memory of float64)"
    conv.weight = Tensor(conv.weight.data.astype(np.float64), requires_grad=True)
    assert conv(Tensor(np.ones((1, 1, 4, 4)), dtype=np.float64)).dtype == np.float64


def test_conv2d_of_a_strided_view_equals_that_of_a_copy():
    base = rand(2, 6, 6, 3).astype(np.float32)
    view = base.transpose(0, 3, 1, 2)             # channels-last data seen as (N, C, H, W): not contiguous
    conv = Conv2d(3, 2, 3, stride=2, padding=1, seed=0)
    assert np.allclose(conv(Tensor(view)).data, conv(Tensor(np.ascontiguousarray(view))).data)


# --- gradients ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, kernel, stride, padding", GEOMETRIES[:4])
def test_grad_conv2d_input_weight_bias(shape, kernel, stride, padding):
    kh, kw = as_pair(kernel)
    check_gradients(lambda x, w, b: conv_with(w, b, stride, padding)(x),
                    rand(*shape), rand(2, shape[1], kh, kw, seed=2), rand(2, seed=3),
                    name=f"Conv2d kernel={kernel} stride={stride} padding={padding}")


def test_grad_conv2d_without_bias():
    check_gradients(lambda x, w: conv_with(w, None, 1, 1)(x), rand(2, 2, 4, 4), rand(3, 2, 3, 3, seed=2),
                    name="Conv2d without bias")


def test_first_layer_images_need_no_gradient():
    images = Tensor(rand(2, 1, 5, 5))
    conv = conv_with(Tensor(rand(2, 1, 3, 3, seed=2), requires_grad=True), Tensor(rand(2, seed=3), requires_grad=True))
    out = conv(images)
    assert out.requires_grad, "the weights require grad, so the output does"
    out.sum().backward()
    assert images.grad is None, "images without requires_grad get no gradient"
    assert conv.weight.grad is not None and conv.weight.grad.shape == (2, 1, 3, 3)
    assert np.allclose(conv.bias.grad.data, 9 * 2), "each bias is added to 3x3 outputs of 2 images"


def test_conv2d_records_nothing_under_no_grad():
    conv = Conv2d(1, 2, 3, seed=0)
    with no_grad():
        out = conv(Tensor(rand(1, 1, 4, 4), requires_grad=True))
    assert out.grad_fn is None and not out.requires_grad


@pytest.mark.parametrize("make_pool", [
    lambda: MaxPool2d(2), lambda: MaxPool2d(3, stride=1), lambda: MaxPool2d(3, stride=2, padding=1),
    lambda: MaxPool2d((2, 3), stride=(1, 2)), lambda: AvgPool2d(2), lambda: AvgPool2d(3, stride=1),
    lambda: AvgPool2d(3, stride=2, padding=1), lambda: AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0)),
], ids=["max2", "max3-overlap", "max3-pad", "max-rect", "avg2", "avg3-overlap", "avg3-pad", "avg-rect"])
def test_grad_pooling(make_pool):
    pool = make_pool()
    check_gradients(pool, rand(2, 3, 5, 6), name=repr(pool))


def test_grad_flatten():
    check_gradients(Flatten(), rand(2, 3, 2, 2), name="Flatten()")
    check_gradients(Flatten(start_dim=2), rand(2, 3, 2, 2), name="Flatten(start_dim=2)")


def test_grad_through_a_small_lenet():
    labels = np.array([0, 2, 1])

    def network(x, w1, w2, w3):
        h = MaxPool2d(2)(ReLU()(conv_with(w1, None, 1, 1)(x)))
        h = AvgPool2d(2)(ReLU()(conv_with(w2, None, 1, 0)(h)))
        return CrossEntropyLoss()(Flatten()(h) @ w3, labels)

    check_gradients(network, rand(3, 1, 6, 6), rand(2, 1, 3, 3, seed=2) * 0.5, rand(3, 2, 2, 2, seed=3) * 0.5,
                    rand(3, 3, seed=4), name="conv-relu-maxpool-conv-relu-avgpool-flatten-matmul-cross entropy")


# --- pooling forward -------------------------------------------------------------------------------

@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 1, 1), ((2, 3), (2, 1), (1, 0)), (3, 3, 1)])
def test_pooling_matches_the_definition(kernel, stride, padding):
    x = rand(2, 3, 7, 6)
    max_out = MaxPool2d(kernel, stride, padding)(Tensor(x)).data
    avg_out = AvgPool2d(kernel, stride, padding)(Tensor(x)).data
    stride = kernel if stride is None else stride
    assert np.allclose(max_out, loop_pool(x, kernel, stride, padding, np.max, -np.inf))
    assert np.allclose(avg_out, loop_pool(x, kernel, stride, padding, np.mean, 0.0)), \
        "average pooling counts the zero padding in the mean (PyTorch's count_include_pad=True)"


def test_max_pooling_padding_never_wins():
    x = Tensor(-1 - rand(1, 2, 3, 3) ** 2)          # every value below -1
    out = MaxPool2d(2, stride=1, padding=1)(x)
    assert out.shape == (1, 2, 4, 4) and np.all(out.data < -1), "padding is -inf for max pooling, never 0"


def test_max_pooling_tie_sends_the_gradient_once():
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    MaxPool2d(2)(x).backward(Tensor(np.array([[[[1.0, 2.0], [3.0, 4.0]]]])))
    grad = x.grad.data[0, 0]
    for (i, j), g in zip([(0, 0), (0, 2), (2, 0), (2, 2)], [1, 2, 3, 4]):
        window = grad[i:i + 2, j:j + 2]
        assert window.sum() == g and np.count_nonzero(window) == 1, \
            f"a window of equal values passes its gradient to one of them, not to all: {window}"


def test_pooling_records_nothing_under_no_grad():
    with no_grad():
        assert MaxPool2d(2)(Tensor(rand(1, 1, 4, 4), requires_grad=True)).grad_fn is None
        assert AvgPool2d(2)(Tensor(rand(1, 1, 4, 4), requires_grad=True)).grad_fn is None


def test_pooling_repr_and_defaults():
    assert MaxPool2d(2).stride == (2, 2) and AvgPool2d(3, stride=1).stride == (1, 1)
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
    assert MaxPool2d(2).parameters() == [] and Flatten().parameters() == []


# --- Flatten --------------------------------------------------------------------------------------

def test_flatten_like_pytorch():
    x = Tensor(np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5))
    assert Flatten()(x).shape == (2, 60)
    assert Flatten(0)(x).shape == (120,)
    assert Flatten(1, 2)(x).shape == (2, 12, 5)
    assert Flatten(-2)(x).shape == (2, 3, 20)
    assert Flatten()(Tensor(np.zeros((4, 7)))).shape == (4, 7), "nothing to merge: unchanged"
    assert Flatten()(Tensor(np.zeros((0, 2, 3)))).shape == (0, 6), "an empty batch flattens too"
    assert np.array_equal(Flatten()(x).data, x.data.reshape(2, 60))


# --- bad input: a sentence that says what is wrong ----------------------------------------------

@pytest.mark.parametrize("shape, expected", [
    ((3, 8, 8), "(N, C, H, W)"),
    ((8, 8), "(N, C, H, W)"),
    ((1, 2, 8, 8), "1 input channel"),
    ((1, 1, 2, 8), "does not fit"),
])
def test_conv2d_explains_a_wrong_input(shape, expected):
    conv = Conv2d(1, 4, kernel_size=3, seed=0)
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        conv(Tensor(np.zeros(shape)))


def test_pooling_explains_a_wrong_input():
    with pytest.raises(ValueError, match="does not fit"):
        MaxPool2d(3)(Tensor(np.zeros((1, 1, 2, 2))))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        AvgPool2d(2)(Tensor(np.zeros((4, 4))))
    with pytest.raises(ValueError, match="does not fit"):
        Flatten(start_dim=3)(Tensor(np.zeros((2, 3))))


@pytest.mark.parametrize("arguments", [
    dict(in_channels=1, out_channels=2, kernel_size=0),
    dict(in_channels=1, out_channels=2, kernel_size=3, stride=0),
    dict(in_channels=1, out_channels=2, kernel_size=3, padding=-1),
    dict(in_channels=0, out_channels=2, kernel_size=3),
    dict(in_channels=1, out_channels=2.5, kernel_size=3),
    dict(in_channels=1, out_channels=2, kernel_size=(3, 3, 3)),
    dict(in_channels=1, out_channels=2, kernel_size=2.0),
    dict(in_channels=1, out_channels=2, kernel_size=True),
])
def test_conv2d_rejects_impossible_arguments(arguments):
    with pytest.raises(ValueError):
        Conv2d(**arguments)


@pytest.mark.parametrize("pool", [MaxPool2d, AvgPool2d])
def test_pooling_rejects_impossible_arguments(pool):
    with pytest.raises(ValueError, match="half"):
        pool(2, padding=2)
    with pytest.raises(ValueError):
        pool(0)
    with pytest.raises(ValueError):
        pool(2, stride=0)


# --- it learns ----------------------------------------------------------------------------------

def test_a_small_cnn_recognises_strokes_where_it_never_saw_them():
    """Vertical vs horizontal 3-pixel strokes anywhere in 6x6 images: the convolution's shared filters
    recognise a stroke at places it never saw in training (all training strokes are in the left half)."""
    rng = np.random.default_rng(0)

    def strokes(count, columns):
        labels = rng.integers(0, 2, count)
        images = rng.normal(scale=0.05, size=(count, 1, 6, 6)).astype(np.float32)
        for k, label in enumerate(labels):
            row, col = rng.integers(0, 4), rng.choice(columns)
            if label == 0:
                images[k, 0, row + 1, col:col + 3] = 1
            else:
                images[k, 0, row:row + 3, col + 1] = 1
        return Tensor(images), labels

    x_train, y_train = strokes(120, columns=[0, 1])
    x_test, y_test = strokes(60, columns=[2, 3])
    model = Sequential(Conv2d(1, 4, 3, padding=1, seed=0), ReLU(), MaxPool2d(6), Flatten(), Linear(4, 2, seed=1))
    optimizer = Adam(model.parameters(), lr=0.05)
    for _ in range(60):
        optimizer.zero_grad()
        CrossEntropyLoss()(model(x_train), y_train).backward()
        optimizer.step()
    with no_grad():
        accuracy = np.mean(model(x_test).data.argmax(axis=1) == y_test)
    assert accuracy > 0.9, f"strokes in the unseen right half should be recognised, got {accuracy:.0%}"


# --- edges of size and precision ------------------------------------------------------------------

def test_an_empty_batch_goes_through_forward_and_backward():
    conv = Conv2d(1, 2, 3, padding=1, seed=0)
    x = Tensor(np.zeros((0, 1, 8, 8), dtype=np.float32), requires_grad=True)
    out = Flatten()(MaxPool2d(2)(conv(x)))
    assert out.shape == (0, 32)
    out.sum().backward()
    assert x.grad.shape == (0, 1, 8, 8) and np.all(conv.weight.grad.data == 0), "no examples, no gradient"


def test_conv2d_backward_works_in_the_forward_precision():
    """Losses hand back float64 gradients; mixed with float32 weights, NumPy's matmul leaves BLAS (several times
    slower). The gradients come back in the forward pass's precision instead."""
    x = Tensor(rand(2, 3, 6, 6).astype(np.float32), requires_grad=True)
    conv = Conv2d(3, 4, 3, padding=1, seed=0)
    out = conv(x)
    assert isinstance(out.grad_fn, Conv2dBackward)
    grad_x, grad_weight, grad_bias = out.grad_fn.apply(rand(*out.shape))      # float64 upstream
    assert grad_x.dtype == grad_weight.dtype == grad_bias.dtype == np.float32
    assert np.allclose(grad_weight, out.grad_fn.apply(rand(*out.shape).astype(np.float32))[1], rtol=1e-4, atol=1e-4)
