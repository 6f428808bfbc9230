"""Can I turn token ids into vectors a model can learn?

Capability: look up a learned vector for every token id of a padded batch from a tokenizer, add where each token
stands (fixed sinusoidal or learned positions), and train the vectors with an optimizer: the gradient reaches only
the rows the batch used, and the padding vector stays zero.
"""
import numpy as np

from tinytorch.core.embeddings import Embedding, LearnedPositionalEncoding, SinusoidalPositionalEncoding
from tinytorch.core.layers import Linear
from tinytorch.core.losses import CrossEntropyLoss
from tinytorch.core.optimizers import Adam
from tinytorch.core.tensor import Tensor
from tinytorch.core.tokenization import BPETokenizer

CORPUS = "the cat sat on the mat. the dog sat on the log. a cat and a dog. " * 10


def test_token_ids_become_vectors_with_positions():
    tokenizer = BPETokenizer().train(CORPUS, vocab_size=300)
    ids, mask = tokenizer.encode_batch(["the cat sat", "a dog sat on the log"], bos=True)
    embedding = Embedding(tokenizer.vocab_size, 16, padding_idx=tokenizer.pad_id, seed=0)
    for positions in (SinusoidalPositionalEncoding(32, 16), LearnedPositionalEncoding(32, 16, seed=0)):
        vectors = positions(embedding(ids))
        assert vectors.shape == ids.shape + (16,)
        assert np.allclose(vectors.data[0, 0], vectors.data[1, 0]), "<bos> at position 0 in both texts"
        assert not np.allclose(vectors.data[0, 0], positions(embedding(ids.data[:, ::-1].copy())).data[0, -1]), \
            "the same token at another position is another vector"


def test_a_model_learns_token_vectors():
    tokenizer = BPETokenizer().train(CORPUS, vocab_size=300)
    ids, mask = tokenizer.encode_batch(["the cat sat on the mat.", "the dog sat on the log."], bos=True, eos=True)
    inputs, targets = ids.data[:, :-1], ids.data[:, 1:]          # predict each next token
    real = mask.data[:, 1:].reshape(-1) > 0
    embedding = Embedding(tokenizer.vocab_size, 16, padding_idx=tokenizer.pad_id, seed=0)
    positions = LearnedPositionalEncoding(32, 16, seed=1)
    readout = Linear(16, tokenizer.vocab_size, seed=2)
    untouched = np.setdiff1d(np.arange(tokenizer.vocab_size), inputs)
    before = embedding.weight.data[untouched].copy()
    optimizer = Adam(embedding.parameters() + positions.parameters() + readout.parameters(), lr=0.05)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        hidden = positions(embedding(inputs))
        logits = readout(hidden.reshape(-1, 16))[np.flatnonzero(real)]
        loss = CrossEntropyLoss()(logits, Tensor(targets.reshape(-1)[real], dtype=np.int64))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] / 5, f"the model learns to predict the next token: {losses[0]:.2f} -> {losses[-1]:.2f}"
    assert np.array_equal(embedding.weight.data[untouched], before), "rows no batch used are never changed"
    assert not embedding.weight.data[tokenizer.pad_id].any(), "the padding vector stays zero"
