"""Can I build a GPT that writes text?

Capability: a decoder-only transformer (token and position embeddings, pre-norm blocks of causal attention and
feed-forward layers with residual connections, a final LayerNorm and a head) learns a text by next-token prediction
from characters, and writes it: given the start of a line, it continues it, one sampled character at a time.
"""
import numpy as np

from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.tokenization import CharTokenizer
from tinytorch.core.transformer import GPT

TEXT = "twinkle, twinkle, little star, how I wonder what you are. "


def test_a_gpt_learns_a_line_and_writes_it_from_its_start():
    tokenizer = CharTokenizer()
    tokenizer.train(TEXT)
    ids = np.array(tokenizer.encode(TEXT * 6))
    vocab, context = tokenizer.vocab_size, 24
    model = GPT(vocab, embed_dim=32, num_heads=4, num_layers=2, max_len=context, seed=14)
    optimizer = Adam(model.parameters(), lr=0.01)
    rng = np.random.default_rng(14)
    losses = []
    for _ in range(250):
        starts = rng.integers(0, len(ids) - context - 1, size=16)
        x = np.stack([ids[s:s + context] for s in starts])
        y = np.stack([ids[s + 1:s + context + 1] for s in starts])
        loss = CrossEntropyLoss()(model(x).reshape(-1, vocab), Tensor(y.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    assert np.mean(losses[-10:]) < 0.2 < np.log(vocab) - 1 < losses[0], (
        f"the loss falls from about log(vocab) = {np.log(vocab):.2f} (guessing) to near 0: "
        f"first {losses[0]:.2f}, last ten {np.mean(losses[-10:]):.3f}")
    prompt = tokenizer.encode("twinkle, twinkle, ")
    written = tokenizer.decode(model.generate([prompt], max_new_tokens=len(TEXT), top_k=1)[0])
    assert written.startswith("twinkle, twinkle, little star, how I wonder what you are."), (
        f"given the start of the line, the GPT writes the rest (always its likeliest character): {written!r}")
    sampled = tokenizer.decode(model.generate([prompt], max_new_tokens=40, temperature=0.8, top_k=5, seed=0)[0])
    assert len(sampled) == len("twinkle, twinkle, ") + 40 and set(sampled) <= set(TEXT), (
        f"sampled writing uses the characters of the text: {sampled!r}")
