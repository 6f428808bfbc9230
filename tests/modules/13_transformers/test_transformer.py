"""Module 13 — transformers: LayerNorm with its own gradient, the feed-forward block, the pre-norm causal
TransformerBlock, a decoder-only GPT and its sampling (temperature, top-k, context cropped to max_len); every
gradient checked against finite differences."""
import numpy as np
import pytest

from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.transformer import GPT, FeedForward, LayerNorm, TransformerBlock, generate, sample_next

RNG = np.random.default_rng(13)


def gradient_gap(f, *arrays, eps=1e-6):
    """The largest gap between autograd and central differences of sum(f(*tensors) * upstream), float64."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*tensors)
    upstream = np.random.default_rng(0).normal(size=out.shape)
    out.backward(Tensor(upstream))
    gap = 0.0
    for which, tensor in enumerate(tensors):
        for index in np.ndindex(arrays[which].shape):
            values = [a.copy() for a in arrays]
            values[which][index] += eps
            plus = np.sum(f(*[Tensor(v) for v in values]).data * upstream)
            values[which][index] -= 2 * eps
            minus = np.sum(f(*[Tensor(v) for v in values]).data * upstream)
            gap = max(gap, abs(tensor.grad.data[index] - (plus - minus) / (2 * eps)))
    return gap


def float64(layer):
    for p in layer.parameters():
        p.data = p.data.astype(np.float64)
    return layer


def with_parameters(shape, eps=1e-5):
    def layer_norm(x, weight, bias):
        norm = LayerNorm(shape, eps=eps)
        norm.weight, norm.bias = weight, bias
        return norm(x)
    return layer_norm


# ---------------------------------------------------------------- LayerNorm

def test_layer_norm_matches_the_definition():
    x = RNG.normal(size=(3, 4, 6)) * 5 + 2
    out = LayerNorm(6)(Tensor(x)).data
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    assert np.allclose(out, (x - mean) / np.sqrt(var + 1e-5), atol=1e-5)


def test_layer_norm_of_a_constant_vector_is_zero_not_nan():
    out = LayerNorm(4)(Tensor(np.full((2, 4), 7.0)))
    assert np.all(np.isfinite(out.data)) and np.allclose(out.data, 0)


def test_layer_norm_keeps_float32():
    assert LayerNorm(4)(Tensor(np.ones((2, 4), dtype=np.float32))).dtype == np.float32


@pytest.mark.parametrize("shape, x_shape", [(5, (2, 3, 5)), ((2, 3), (4, 2, 3)), (1, (3, 1))])
def test_layer_norm_gradient_matches_finite_differences(shape, x_shape):
    weight_shape = (shape,) if isinstance(shape, int) else shape
    gap = gradient_gap(with_parameters(shape), RNG.normal(size=x_shape), RNG.normal(size=weight_shape),
                       RNG.normal(size=weight_shape))
    assert gap < 1e-6, f"LayerNorm{shape}: gradient off by {gap:.2e}"


@pytest.mark.parametrize("bad", [0, -3, (), (4, 0), 2.5, True])
def test_layer_norm_refuses_a_shape_that_is_not_a_size(bad):
    with pytest.raises(ValueError, match="normalized_shape"):
        LayerNorm(bad)


def test_layer_norm_refuses_an_input_of_the_wrong_width():
    with pytest.raises(ValueError, match=r"\(8,\).*\(2, 4\)"):
        LayerNorm(8)(Tensor(np.ones((2, 4))))


# ---------------------------------------------------------------- FeedForward and TransformerBlock

def test_feed_forward_treats_every_position_alone_and_learns():
    ffn = FeedForward(6, 10, seed=0)
    x = RNG.normal(size=(2, 5, 6))
    out = ffn(Tensor(x)).data
    assert out.shape == (2, 5, 6)
    assert np.allclose(ffn(Tensor(x[:, 3:4])).data, out[:, 3:4], atol=1e-6)
    assert gradient_gap(lambda t: float64(ffn)(t), RNG.normal(size=(2, 2, 6))) < 1e-6


def test_block_is_causal_and_its_gradient_matches_finite_differences():
    block = float64(TransformerBlock(4, 2, hidden_dim=8, seed=1))
    x = RNG.normal(size=(2, 4, 4))
    changed = x.copy()
    changed[:, 3] += 10
    assert np.allclose(block(Tensor(x)).data[:, :3], block(Tensor(changed)).data[:, :3])
    assert gradient_gap(lambda t: block(t), RNG.normal(size=(1, 3, 4))) < 1e-6


def test_block_combines_a_padding_mask_with_the_causal_mask():
    block = TransformerBlock(4, 2, seed=2)
    x = RNG.normal(size=(1, 4, 4))
    noisy = x.copy()
    noisy[0, 1] = 100.0
    mask = Tensor([[[True, False, True, True]]], dtype=bool)       # position 1 is padding
    a, b = block(Tensor(x), mask=mask).data, block(Tensor(noisy), mask=mask).data
    assert np.allclose(a[0, [0, 2, 3]], b[0, [0, 2, 3]], atol=1e-6), "no position reads the padded one"


def test_block_is_pre_norm_with_residuals():
    block = TransformerBlock(4, 2, seed=3)
    x = Tensor(RNG.normal(size=(1, 3, 4)) * 1000)
    for layer in (block.attn.out_proj, block.ffn.down):
        layer.weight.data[:] = 0
        layer.bias.data[:] = 0
    assert np.allclose(block(x).data, x.data), "silent branches leave the input as it is, however large"


def test_block_refuses_heads_that_do_not_divide_the_width():
    with pytest.raises(ValueError, match="multiple of num_heads"):
        TransformerBlock(6, 4)


# ---------------------------------------------------------------- GPT

def tiny(**options):
    settings = dict(vocab_size=9, embed_dim=8, num_heads=2, num_layers=2, max_len=5, seed=0)
    settings.update(options)
    return GPT(**settings)


def test_gpt_gives_next_token_logits_and_counts_its_parameters():
    model = tiny()
    assert model([[1, 2, 3]]).shape == (1, 3, 9)
    assert model(np.array([[1, 2], [3, 4]])).shape == (2, 2, 9)
    d, h = 8, 32
    block = 2 * 2 * d + 4 * (d * d + d) + (d * h + h + h * d + d)
    assert sum(p.numel() for p in model.parameters()) == 9 * d + 5 * d + 2 * block + 2 * d + d * 9 + 9
    assert len({id(p) for p in model.parameters()}) == len(model.parameters()), "no parameter listed twice"


def test_gpt_never_reads_the_future():
    model = tiny()
    a, b = model([[1, 2, 3, 4]]).data, model([[1, 2, 3, 8]]).data
    assert np.allclose(a[0, :3], b[0, :3], atol=1e-6) and not np.allclose(a[0, 3], b[0, 3])


def test_gpt_parameter_gradients_match_finite_differences():
    model = float64(tiny(vocab_size=5, embed_dim=4, num_layers=1, max_len=3, hidden_dim=4))
    ids, upstream = [[0, 4, 2]], RNG.normal(size=(1, 3, 5))
    model(ids).backward(Tensor(upstream))
    for p in model.parameters():
        index = tuple(RNG.integers(0, s) for s in p.shape)
        saved = p.data[index]
        p.data[index] = saved + 1e-6
        plus = np.sum(model(ids).data * upstream)
        p.data[index] = saved - 1e-6
        minus = np.sum(model(ids).data * upstream)
        p.data[index] = saved
        assert abs(p.grad.data[index] - (plus - minus) / 2e-6) < 1e-6, f"parameter of shape {p.shape}"


@pytest.mark.parametrize("ids, message", [([1, 2], r"\(batch, seq\)"), ([[1] * 6], "positions for 5"),
                                          ([[9]], "outside the embedding table")])
def test_gpt_refuses_bad_ids_with_a_sentence(ids, message):
    with pytest.raises((ValueError, IndexError), match=message):
        tiny()(ids)


def test_gpt_learns_a_text_by_next_token_prediction():
    stream = np.tile([1, 2, 3, 4, 5, 6], 10)
    model = tiny(vocab_size=7, num_layers=1, max_len=6, seed=4)
    optimizer = Adam(model.parameters(), lr=0.03)
    for step in range(60):
        start = step % 6
        x, y = stream[start:start + 30].reshape(5, 6), stream[start + 1:start + 31].reshape(5, 6)
        loss = CrossEntropyLoss()(model(x).reshape(-1, 7), Tensor(y.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss.data) < 0.2
    assert model.generate([[3, 4]], 10, top_k=1)[0].tolist() == [3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1, 2]


# ---------------------------------------------------------------- generate and sampling

def test_generate_is_repeatable_and_keeps_the_prompt():
    model = tiny()
    out = model.generate([[1, 2], [3, 4]], 4, seed=7)
    assert out.shape == (2, 6) and out.dtype == np.int64 and out[:, :2].tolist() == [[1, 2], [3, 4]]
    assert np.array_equal(generate(model, [[1, 2], [3, 4]], 4, seed=7), out)
    assert model.generate([[1]], 0).tolist() == [[1]]


def test_generate_crops_the_context_to_max_len():
    model = tiny(max_len=3)
    out = model.generate([[1, 2, 3, 4, 5, 6]], 2, top_k=1)
    expected = int(model([[4, 5, 6]]).data[0, -1].argmax())
    assert out.shape == (1, 8) and out[0, 6] == expected, "the prompt is longer than max_len: its last 3 tokens count"


def test_generate_records_no_graph():
    model = tiny()
    model.generate([[1, 2]], 3)
    assert all(p.grad is None for p in model.parameters())


def test_top_k_and_temperature_shape_the_draws():
    logits = np.array([[0.0, 3.0, 2.9, -1.0]])
    draws = [int(sample_next(logits, top_k=2, rng=np.random.default_rng(i))[0]) for i in range(300)]
    assert set(draws) == {1, 2}
    hot = [int(sample_next(logits, temperature=100.0, rng=np.random.default_rng(i))[0]) for i in range(300)]
    assert set(hot) == {0, 1, 2, 3}, "a high temperature makes every token possible"
    assert int(sample_next(logits, top_k=100, rng=np.random.default_rng(0))[0]) in range(4), "top_k > vocab: all"
    counts = np.bincount([int(sample_next(np.log([[0.2, 0.8]]), rng=np.random.default_rng(i))[0])
                          for i in range(2000)], minlength=2)
    assert 0.75 < counts[1] / 2000 < 0.85, f"temperature 1 draws from softmax(logits): {counts}"


@pytest.mark.parametrize("options", [{"temperature": 0}, {"temperature": -0.5}, {"temperature": float("nan")},
                                     {"temperature": float("inf")}, {"top_k": 0}, {"top_k": -2}, {"top_k": 2.0},
                                     {"max_new_tokens": -1}])
def test_generate_refuses_settings_that_mean_nothing(options):
    settings = {"max_new_tokens": 2, **options}
    with pytest.raises(ValueError, match="temperature|top_k|max_new_tokens"):
        tiny().generate([[1]], **settings)


def test_generate_refuses_an_empty_prompt():
    with pytest.raises(ValueError, match="at least one token"):
        tiny().generate(np.zeros((1, 0), dtype=np.int64), 3)


@pytest.mark.parametrize("prompt, message", [([[1.5]], "not a whole number"), ([[9]], "outside the embedding table"),
                                             ([[-1]], "outside the embedding table")])
def test_generate_refuses_a_prompt_that_is_not_token_ids(prompt, message):
    with pytest.raises((ValueError, IndexError), match=message):
        tiny().generate(prompt, 2)
