"""Can I build and train a convolutional network?

Capability: stack Conv2d, ReLU, MaxPool2d, AvgPool2d, Flatten and Linear into a LeNet-style network that
takes batches of images (N, C, H, W), get every parameter's gradient (matching finite differences), and
train it until it recognises patterns wherever they appear in an image.
"""
import numpy as np

from tinytorch.core.activations import ReLU
from tinytorch.core.autograd import no_grad
from tinytorch.core.dataloader import DataLoader, TensorDataset
from tinytorch.core.layers import Linear, Sequential
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.spatial import AvgPool2d, Conv2d, Flatten, MaxPool2d
from tinytorch.core.tensor import Tensor
from tinytorch.core.training import Trainer, accuracy


def lenet(seed=0):
    return Sequential(
        Conv2d(1, 4, kernel_size=3, padding=1, seed=seed), ReLU(), MaxPool2d(2),      # 8x8 -> 4x4
        Conv2d(4, 8, kernel_size=3, padding=1, seed=seed + 1), ReLU(), AvgPool2d(2),  # 4x4 -> 2x2
        Flatten(), Linear(8 * 2 * 2, 3, seed=seed + 2),
    )


def shapes(count, seed):
    """8x8 images holding one small shape at a random place: 0 a cross, 1 a square outline, 2 a diagonal."""
    rng = np.random.default_rng(seed)
    stamps = [np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]]), np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]]), np.eye(3)]
    labels = rng.integers(0, 3, count)
    images = rng.normal(scale=0.1, size=(count, 1, 8, 8)).astype(np.float32)
    for k, label in enumerate(labels):
        row, col = rng.integers(0, 6, 2)
        images[k, 0, row:row + 3, col:col + 3] += stamps[label]
    return images, labels


def test_a_lenet_maps_images_to_class_scores():
    model = lenet()
    out = model(Tensor(np.zeros((5, 1, 8, 8), dtype=np.float32)))
    assert out.shape == (5, 3)
    assert len(model.parameters()) == 6, "two convolutions and a linear layer, each with weight and bias"


def test_every_parameter_gets_the_gradient_finite_differences_give():
    model = lenet(seed=3)
    images, labels = shapes(4, seed=1)
    x = Tensor(images.astype(np.float64))
    for p in model.parameters():
        p.data = p.data.astype(np.float64)
    loss = CrossEntropyLoss()(model(x), labels)
    loss.backward()
    eps = 1e-6
    for p in model.parameters():
        assert p.grad is not None and p.grad.shape == p.shape
        for index in list(np.ndindex(p.shape))[:6]:
            saved = p.data[index]
            p.data[index] = saved + eps
            plus = CrossEntropyLoss()(model(x), labels).item()
            p.data[index] = saved - eps
            minus = CrossEntropyLoss()(model(x), labels).item()
            p.data[index] = saved
            assert np.isclose(p.grad.data[index], (plus - minus) / (2 * eps), atol=1e-6)


def test_a_cnn_learns_shapes_anywhere_in_the_image():
    images, labels = shapes(600, seed=0)
    train = DataLoader(TensorDataset(images[:450], labels[:450]), batch_size=32, shuffle=True, seed=0)
    held_out = DataLoader(TensorDataset(images[450:], labels[450:]), batch_size=150)
    model = lenet()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.01), CrossEntropyLoss(), metric=accuracy)
    history = trainer.fit(train, held_out, epochs=8)
    assert history["val_accuracy"][-1] > 0.9, f"held-out accuracy {history['val_accuracy'][-1]:.0%}"
    with no_grad():
        assert model(Tensor(images[:2])).grad_fn is None
