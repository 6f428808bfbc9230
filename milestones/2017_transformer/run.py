"""2017 — Attention Is All You Need: attention learns to reverse sequences, then a small GPT learns to write.

Needs modules 01 tensor, 02 activations, 03 layers, 04 losses, 05 autograd, 06 optimizers, 10 tokenization,
11 embeddings, 12 attention, 13 transformers. Data: milestones/data/sonnets.txt (five of Shakespeare's sonnets,
public domain, shipped with the repo). Run from anywhere: python milestones/2017_transformer/run.py
"""
import json
import os
import sys
import time
from pathlib import Path

# One BLAS thread: the matrix products here are small, and on a busy 2-core machine two BLAS threads wait for each
# other more than they help (as in the 1998 milestone). Set before NumPy loads its BLAS; a caller's value wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from tinytorch.core.attention import MultiHeadAttention
from tinytorch.core.autograd import no_grad
from tinytorch.core.embeddings import Embedding, LearnedPositionalEncoding
from tinytorch.core.layers import Layer, Linear
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.tokenization import CharTokenizer
from tinytorch.core.transformer import GPT, LayerNorm

SEED = 2017
# Part 1: reverse sequences of digits.
LENGTH, DIGITS, REVERSAL_STEPS = 12, 10, 300
TARGET_REVERSAL = 0.99          # exact-sequence accuracy on fresh sequences: every one of the 12 digits right
# Part 2: a character-level GPT on five sonnets.
TEXT = Path(__file__).resolve().parent.parent / "data" / "sonnets.txt"
CONTEXT, EMBED, HEADS, LAYERS, BATCH, GPT_STEPS = 32, 64, 4, 2, 32, 280
LOSS_BOUND = 1.0                # mean cross-entropy per character over the whole text, in nats
PROMPT = "Shall I "


class Reverser(Layer):
    """Digits and their positions as vectors, one layer of (non-causal) multi-head attention, a head per position.

    No recurrence and no convolution: to output the digit at position i, position i must find position
    LENGTH - 1 - i by attention alone, from the position vectors.
    """

    def __init__(self, dim=32, seed=SEED):
        super().__init__()
        self.digits = Embedding(DIGITS, dim, seed=seed)
        self.digits.weight.data *= 0.3
        self.positions = LearnedPositionalEncoding(LENGTH, dim, seed=seed + 1)
        self.norm_in, self.norm_out = LayerNorm(dim), LayerNorm(dim)
        self.attention = MultiHeadAttention(dim, 2, seed=seed + 2)
        self.head = Linear(dim, DIGITS, seed=seed + 3)

    def __call__(self, ids, need_weights=False):
        out, weights = self.attention(self.norm_in(self.positions(self.digits(ids))), need_weights=True)
        logits = self.head(self.norm_out(out))
        return (logits, weights) if need_weights else logits

    def parameters(self):
        return [p for part in (self.digits, self.positions, self.norm_in, self.attention, self.norm_out, self.head)
                for p in part.parameters()]


def reversal(rng):
    """Train the Reverser; its exact-sequence accuracy on 2,000 sequences it never saw."""
    model = Reverser()
    optimizer = Adam(model.parameters(), lr=0.01)
    for step in range(1, REVERSAL_STEPS + 1):
        x = rng.integers(0, DIGITS, size=(64, LENGTH))
        loss = CrossEntropyLoss()(model(x).reshape(-1, DIGITS), Tensor(x[:, ::-1].reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in (1, 100, REVERSAL_STEPS):
            print(f"    step {step:3d}  loss {float(loss.data):.4f}")
    x = rng.integers(0, DIGITS, size=(2000, LENGTH))
    with no_grad():
        logits, weights = model(x, need_weights=True)
    predicted = logits.data.argmax(axis=-1)
    exact = float(np.mean(np.all(predicted == x[:, ::-1], axis=1)))
    for row in range(3):
        print(f"    {''.join(map(str, x[row]))} -> {''.join(map(str, predicted[row]))}")
    looked_at = weights.data.mean(axis=(0, 1)).argmax(axis=-1)     # where each output position looks, on average
    print(f"    output position i attends most to input position: {looked_at.tolist()}")
    return exact


def batch(ids, rng):
    starts = rng.integers(0, len(ids) - CONTEXT - 1, size=BATCH)
    return (np.stack([ids[s:s + CONTEXT] for s in starts]), np.stack([ids[s + 1:s + CONTEXT + 1] for s in starts]))


def mean_loss(model, ids, vocab):
    """Cross-entropy per character over the whole text, in windows of CONTEXT characters."""
    starts = np.arange(0, len(ids) - CONTEXT - 1, CONTEXT)
    x = np.stack([ids[s:s + CONTEXT] for s in starts])
    y = np.stack([ids[s + 1:s + CONTEXT + 1] for s in starts])
    with no_grad():
        return float(CrossEntropyLoss()(model(x).reshape(-1, vocab), Tensor(y.reshape(-1))).data)


def writer(rng):
    """Train a character-level GPT on the sonnets; its mean loss over the text and a sample of its writing."""
    text = TEXT.read_text(encoding="utf-8")
    tokenizer = CharTokenizer()
    tokenizer.train(text)
    ids, vocab = np.array(tokenizer.encode(text)), tokenizer.vocab_size
    counts = np.bincount(ids, minlength=vocab)
    frequencies = counts[counts > 0] / len(ids)
    unigram = float(-(frequencies * np.log(frequencies)).sum())
    model = GPT(vocab, EMBED, HEADS, LAYERS, CONTEXT, seed=SEED)
    count = sum(p.numel() for p in model.parameters())
    print(f"    {len(text):,} characters, {vocab} tokens ({vocab - len(tokenizer.special_tokens)} characters and "
          f"{len(tokenizer.special_tokens)} special tokens); GPT of {LAYERS} blocks, "
          f"width {EMBED}, {HEADS} heads, context {CONTEXT}: {count:,} parameters")
    print(f"    to beat: {np.log(vocab):.2f} nats per character guessing among the {vocab} tokens, {unigram:.2f} knowing only "
          f"how often each character occurs")
    optimizer = Adam(model.parameters(), lr=0.006)
    for step in range(1, GPT_STEPS + 1):
        if step == int(GPT_STEPS * 0.7):
            optimizer.lr *= 0.3             # smaller steps to settle at the end
        x, y = batch(ids, rng)
        loss = CrossEntropyLoss()(model(x).reshape(-1, vocab), Tensor(y.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step in (1, 50, 100, 150, 200, 250, GPT_STEPS):
            print(f"    step {step:3d}  loss {float(loss.data):.3f}")
    final = mean_loss(model, ids, vocab)
    sample = tokenizer.decode(model.generate([tokenizer.encode(PROMPT)], max_new_tokens=240, temperature=0.8,
                                             top_k=10, seed=SEED)[0], skip_special_tokens=True)
    print("    sample (temperature 0.8, top-k 10):")
    for line in sample.splitlines():
        print(f"      | {line}")
    return final


def main():
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    print("2017: Vaswani et al., 'Attention Is All You Need': a network of attention alone, no recurrence.")
    print(f"  1. Attention learns to reverse sequences of {LENGTH} digits (position i must find position "
          f"{LENGTH - 1} - i):")
    exact = reversal(rng)
    reversal_seconds = time.perf_counter() - started
    print(f"    exact-sequence accuracy {exact:.1%} on 2,000 new sequences (target {TARGET_REVERSAL:.0%}) "
          f"in {reversal_seconds:.1f} s")
    print("  2. A character-level GPT (Radford et al., 2018) learns five of Shakespeare's sonnets:")
    gpt_started = time.perf_counter()
    final = writer(rng)
    seconds = time.perf_counter() - started
    print(f"    mean loss over the whole text {final:.3f} nats per character (bound {LOSS_BOUND}) "
          f"in {time.perf_counter() - gpt_started:.1f} s")
    passed = exact >= TARGET_REVERSAL and final < LOSS_BOUND
    print(f"  {'achieved' if passed else 'not achieved'} in {seconds:.1f} s")
    print(json.dumps({"milestone": "2017_transformer", "reversal_accuracy": round(exact, 4),
                      "loss": round(final, 3), "seconds": round(seconds, 2)}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
