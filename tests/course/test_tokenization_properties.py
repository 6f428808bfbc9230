"""Properties of the committed tokenizers (``tinytorch.core.tokenization``, the instructor edition), fuzzed.

The module's own tests (tests/modules/10_tokenization) run in tito's plain pytest subprocess and draw their
Unicode from a seeded generator; here hypothesis searches the whole of Unicode for a string that breaks the
round trip: any character but a surrogate, special tokens and their fragments mixed in.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinytorch.core.tokenization import (
    SPECIAL_TOKENS, BPETokenizer, CharTokenizer, pretokenize, split_on_special_tokens,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)

#: Any text (hypothesis leaves out surrogates, which are not characters), with special tokens and near misses.
TEXTS = st.lists(st.one_of(st.text(max_size=12), st.sampled_from([*SPECIAL_TOKENS, "<", "eos>", "<eo", "\r\n"])),
                 max_size=8).map("".join)

TRAINED = BPETokenizer().train(("The tokens of a text are numbers; the numbers go into the model. " * 6)
                               + "naïve café, 日本語のテキスト, 🙂🙂 " * 4, vocab_size=360)


@FUZZ
@given(TEXTS)
def test_bpe_round_trips_any_text(text):
    for tokenizer in (TRAINED, BPETokenizer()):
        ids = tokenizer.encode(text, bos=True, eos=True)
        assert tokenizer.decode(ids) == "<bos>" + text + "<eos>"
        assert tokenizer.decode(ids, skip_special_tokens=True) == "".join(
            piece for piece in _without_specials(text))
        assert all(0 <= i < tokenizer.vocab_size for i in ids)


@FUZZ
@given(TEXTS)
def test_char_tokenizer_round_trips_what_it_was_trained_on(text):
    tokenizer = CharTokenizer().train(text)
    assert tokenizer.decode(tokenizer.encode(text)) == text
    assert tokenizer.chars == sorted(set(text))


@FUZZ
@given(TEXTS)
def test_chunks_join_back_into_the_text(text):
    assert "".join(pretokenize(text)) == text


WORDS = st.lists(st.text(alphabet=st.characters(categories=["L"]), min_size=1, max_size=6), min_size=1, max_size=30)


@FUZZ
@given(WORDS, st.randoms(use_true_random=False))
def test_merges_do_not_depend_on_the_order_of_the_words(words, rng):
    shuffled = words * 2
    rng.shuffle(shuffled)
    in_order = BPETokenizer().train(" " + " ".join(words * 2), vocab_size=300)
    reordered = BPETokenizer().train(" " + " ".join(shuffled), vocab_size=300)
    assert in_order.merges == reordered.merges


def _without_specials(text):
    """The text with its special tokens removed."""
    return [piece for piece in split_on_special_tokens(text, SPECIAL_TOKENS) if piece not in SPECIAL_TOKENS]
