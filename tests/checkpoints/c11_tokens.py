"""Can I turn text into tokens and back?

Capability: learn a byte-pair vocabulary from text, encode any string (every script, emoji, control characters)
into token ids and decode it back exactly, keep special tokens whole, and hand a model a padded batch of ids.
"""
import numpy as np

from tinytorch.core.tokenization import BPETokenizer, CharTokenizer

CORPUS = ("A tokenizer cuts text into tokens, and a model reads the tokens as numbers. The more often a pair of "
          "pieces occurs, the sooner it becomes one token. ") * 12


def test_learn_a_vocabulary_that_shortens_text():
    tokenizer = BPETokenizer().train(CORPUS, vocab_size=380)
    assert len(tokenizer.merges) > 50, "a repetitive corpus has many frequent pairs to merge"
    sentence = "The model reads the tokens as numbers."
    assert len(tokenizer.encode(sentence)) < len(sentence.encode("utf-8")) / 2
    assert tokenizer.merges == BPETokenizer().train(CORPUS, vocab_size=380).merges, "training is deterministic"


def test_any_text_round_trips_exactly():
    tokenizer = BPETokenizer().train(CORPUS, vocab_size=380)
    for text in ["A tokenizer cuts text.", "Grüße, naïve café", "Привет", "こんにちは世界", "مرحبا", "🙂👩‍👩‍👧",
                 "tabs\tand\r\nnewlines\x00", "e\u0301 vs é", ""]:
        assert tokenizer.decode(tokenizer.encode(text)) == text, f"round trip failed for {text!r}"
    chars = CharTokenizer().train(CORPUS)
    assert chars.decode(chars.encode("a model reads")) == "a model reads"


def test_special_tokens_frame_a_batch():
    tokenizer = BPETokenizer().train(CORPUS, vocab_size=380)
    assert tokenizer.encode("tokens<eos>")[-1] == tokenizer.eos_id, "<eos> is one token, never split"
    texts = ["a model reads tokens", "🙂"]
    ids, mask = tokenizer.encode_batch(texts, bos=True, eos=True)
    assert ids.dtype == np.int64 and ids.shape == mask.shape and ids.shape[0] == 2
    assert (ids.data[:, 0] == tokenizer.bos_id).all()
    assert ids.data[1, int(mask.data[1].sum()):].tolist() == [tokenizer.pad_id] * (ids.shape[1] - int(mask.data[1].sum()))
    assert [tokenizer.decode(row, skip_special_tokens=True) for row in ids.data] == texts
