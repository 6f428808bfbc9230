"""Module 10 — tokenization: special tokens kept whole, CharTokenizer, byte-level BPE (merges, tie rule, exact round
trip of any string), padded batches of ids."""
import random

import numpy as np
import pytest

from tinytorch.core.tensor import Tensor
from tinytorch.core.tokenization import (
    SPECIAL_TOKENS, BPETokenizer, CharTokenizer, count_pairs, merge_pair, pretokenize, split_on_special_tokens,
)

#: Code point ranges the random texts draw from: every kind of character that breaks naive tokenizers.
UNICODE_RANGES = [
    (0x20, 0x7E),        # printable ASCII
    (0x00, 0x1F),        # control characters, NUL, tab, newline, carriage return
    (0x80, 0xFF),        # Latin-1 (C1 controls, NBSP, accented letters)
    (0x300, 0x36F),      # combining accents
    (0x370, 0x3FF),      # Greek
    (0x400, 0x4FF),      # Cyrillic
    (0x590, 0x5FF),      # Hebrew (right to left)
    (0x600, 0x6FF),      # Arabic (right to left)
    (0x900, 0x97F),      # Devanagari
    (0x2000, 0x206F),    # general punctuation: zero-width joiner, line/paragraph separators, bidi controls
    (0x3000, 0x303F),    # CJK punctuation, ideographic space
    (0x4E00, 0x4FFF),    # CJK ideographs
    (0xAC00, 0xAD00),    # Hangul syllables
    (0xE000, 0xE0FF),    # private use
    (0xFFF0, 0xFFFF),    # specials, U+FFFD, noncharacters U+FFFE and U+FFFF
    (0x1F300, 0x1F6FF),  # emoji
    (0x1D400, 0x1D4FF),  # mathematical letters (beyond the BMP)
    (0x10FFF0, 0x10FFFF),  # the last code points of Unicode
]
#: Whole pieces that go into the random texts too: special tokens, near misses, sequences that must stay intact.
PIECES = ["<pad>", "<unk>", "<bos>", "<eos>", "<eo", "s>", "<", ">", "<<eos>>", " ", "  ", "\r\n", "e\u0301",
          "👩\u200d👩\u200d👧", "🏳️\u200d🌈", "\ufeff", "__", "12345", " the", "ﬁ"]


def random_texts(count, seed, max_len=40):
    """`count` random strings of valid Unicode (every code point but the surrogates), reproducible from `seed`."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(0, max_len)):
            if rng.random() < 0.2:
                parts.append(rng.choice(PIECES))
            else:
                low, high = rng.choice(UNICODE_RANGES)
                parts.append(chr(rng.randint(low, high)))
        texts.append("".join(parts))
    return texts


ENGLISH = ("The tokenizer reads the text and cuts it into tokens. The tokens are numbers, and the numbers go "
           "into the model. The model reads the numbers and writes numbers, and the tokenizer turns them back "
           "into text. ") * 8


@pytest.fixture(scope="module")
def bpe():
    return BPETokenizer().train(ENGLISH + " ".join(random_texts(30, seed=1)), vocab_size=420)


# --- special tokens ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,expected", [
    ("a<bos>b<eos>", ["a", "<bos>", "b", "<eos>"]),
    ("<pad><pad>", ["<pad>", "<pad>"]),
    ("<<eos>>", ["<", "<eos>", ">"]),
    ("no specials", ["no specials"]),
    ("", []),
])
def test_split_on_special_tokens(text, expected):
    assert split_on_special_tokens(text, SPECIAL_TOKENS) == expected


def test_split_prefers_the_longest_special_token_and_escapes_regex_characters():
    assert split_on_special_tokens("x<s><s>y", ("<s>", "<s><s>")) == ["x", "<s><s>", "y"]
    assert split_on_special_tokens("a.*b", (".*",)) == ["a", ".*", "b"], "a token is text, not a pattern"
    assert split_on_special_tokens("a|b", ("|",)) == ["a", "|", "b"]
    assert split_on_special_tokens("abc", ()) == ["abc"]


def test_special_tokens_are_ids_0_to_3_and_never_split(bpe):
    assert (bpe.pad_id, bpe.unk_id, bpe.bos_id, bpe.eos_id) == (0, 1, 2, 3)
    ids = bpe.encode("tokens<eos>")
    assert ids[-1] == 3 and 3 not in ids[:-1], f"<eos> in the text is the single id 3: {ids}"
    assert bpe.encode("<bos><eos>") == [2, 3]
    assert bpe.encode("x", bos=True, eos=True)[0] == 2 and bpe.encode("x", bos=True, eos=True)[-1] == 3


def test_training_never_merges_across_special_tokens():
    tokenizer = BPETokenizer().train("<eos>" * 50 + "ab", vocab_size=300)
    assert tokenizer.merges == {}, "the only repeated pairs are inside <eos>, which training must skip"


def test_custom_special_tokens():
    tokenizer = BPETokenizer(special_tokens=("<pad>", "<|endoftext|>"))
    assert tokenizer.vocab_size == 2 + 256
    assert tokenizer.encode("hi<|endoftext|>") == [2 + 104, 2 + 105, 1]
    assert tokenizer.bos_id is None and tokenizer.unk_id is None
    with pytest.raises(ValueError, match="<bos>"):
        tokenizer.encode("hi", bos=True)


@pytest.mark.parametrize("special_tokens", [("<pad>", ""), ("<pad>", "<pad>"), ("<pad>", 7)])
def test_bad_special_tokens_are_refused(special_tokens):
    with pytest.raises(ValueError):
        BPETokenizer(special_tokens=special_tokens)


def test_skip_special_tokens():
    tokenizer = CharTokenizer().train("abc")
    ids = tokenizer.encode("a<pad>b", bos=True, eos=True)
    assert tokenizer.decode(ids) == "<bos>a<pad>b<eos>"
    assert tokenizer.decode(ids, skip_special_tokens=True) == "ab"


# --- CharTokenizer -----------------------------------------------------------------------------------------


def test_char_vocabulary_is_sorted_and_after_the_special_tokens():
    tokenizer = CharTokenizer().train("banana")
    assert tokenizer.chars == ["a", "b", "n"]
    assert tokenizer.vocab_size == 7
    assert tokenizer.encode("nab") == [6, 4, 5]
    assert tokenizer.decode([6, 4, 5]) == "nab"


def test_char_vocabulary_does_not_depend_on_order():
    assert CharTokenizer().train("dcba").chars == CharTokenizer().train("abcd").chars == ["a", "b", "c", "d"]


def test_char_round_trip_of_random_unicode():
    texts = random_texts(200, seed=2)
    tokenizer = CharTokenizer().train("".join(texts))
    for text in texts:
        assert tokenizer.decode(tokenizer.encode(text)) == text, f"round trip failed for {text!r}"


def test_char_unknown_characters():
    tokenizer = CharTokenizer().train("abc")
    assert tokenizer.encode("aXc") == [4, 1, 6], "an unseen character is <unk>"
    strict = CharTokenizer(special_tokens=("<pad>",)).train("abc")
    with pytest.raises(ValueError, match="'X'"):
        strict.encode("aXc")


def test_char_training_again_replaces_the_vocabulary():
    tokenizer = CharTokenizer().train("abc").train("xy")
    assert tokenizer.chars == ["x", "y"] and tokenizer.vocab_size == 6


# --- count_pairs, merge_pair, pretokenize ------------------------------------------------------------------


def test_count_pairs_weights_by_frequency():
    assert count_pairs({(1, 2, 1, 2): 3, (2, 1): 1}) == {(1, 2): 6, (2, 1): 4}
    assert count_pairs({}) == {}


@pytest.mark.parametrize("ids,expected", [
    ([1, 2, 1, 2], [9, 9]), ([1, 1, 1, 1], [1, 1, 1, 1]), ([2, 2, 2], [2, 2, 2]), ([1, 2, 2], [9, 2]),
    ([3, 1], [3, 1]), ([], []),
])
def test_merge_pair(ids, expected):
    assert merge_pair(ids, (1, 2), 9) == expected


def test_merge_pair_does_not_overlap():
    assert merge_pair([7, 7, 7, 7, 7], (7, 7), 9) == [9, 9, 7]


def test_pretokenize_covers_every_character():
    for text in random_texts(200, seed=3) + ["Hi, you!", "a  b", "x_y", "½²", "1990s", "   "]:
        assert "".join(pretokenize(text)) == text, f"chunks must join back into {text!r}"
    assert pretokenize("Hi, you!") == ["Hi", ",", " you", "!"]


# --- BPE: training -----------------------------------------------------------------------------------------


def test_bpe_example_from_the_lesson():
    tokenizer = BPETokenizer().train("aaabdaaabac", vocab_size=1000)
    a, b = 4 + ord("a"), 4 + ord("b")
    assert list(tokenizer.merges.items()) == [((a, a), 260), ((a, b), 261), ((260, 261), 262)]
    assert tokenizer.token_bytes[256:] == [b"aa", b"ab", b"aaab"]


def test_ties_go_to_the_pair_with_smaller_ids():
    tokenizer = BPETokenizer().train("cdcd abab", vocab_size=261)
    assert [tokenizer.decode([i]) for i in tokenizer.merges.values()] == ["ab"], (
        "(a, b) and (c, d) both occur twice: the tie goes to (a, b), whose ids are smaller")


def test_merges_do_not_depend_on_the_order_of_the_text():
    words = ENGLISH.split()
    shuffled = words[:]
    random.Random(4).shuffle(shuffled)
    first = BPETokenizer().train(" " + " ".join(words), vocab_size=330)
    second = BPETokenizer().train(" " + " ".join(shuffled), vocab_size=330)
    assert first.merges == second.merges, "the same words in another order must learn the same merges"


def test_training_is_repeatable_and_starts_over():
    first = BPETokenizer().train(ENGLISH, vocab_size=320)
    again = BPETokenizer().train(ENGLISH, vocab_size=320)
    assert first.merges == again.merges and first.token_bytes == again.token_bytes
    first.train("xyxyxy xyxy", vocab_size=300)
    fresh = BPETokenizer().train("xyxyxy xyxy", vocab_size=300)
    assert first.merges == fresh.merges and first.vocab_size == fresh.vocab_size == 262, "training again starts over"


def test_vocab_size_bounds():
    tokenizer = BPETokenizer().train(ENGLISH, vocab_size=300)
    assert tokenizer.vocab_size == 300 and len(tokenizer.merges) == 40
    assert sorted(tokenizer.merges.values()) == list(range(260, 300)), "merged ids follow the bytes, in order"
    with pytest.raises(ValueError, match="260"):
        BPETokenizer().train(ENGLISH, vocab_size=100)


def test_merges_do_not_cross_words():
    tokenizer = BPETokenizer().train("ab ab ab ab", vocab_size=300)
    pieces = [tokenizer.decode([i]) for i in tokenizer.merges.values()]
    assert all(not piece.endswith(" ") for piece in pieces), f"a space only starts a chunk: {pieces}"
    assert tokenizer.tokens("ab ab") == ["ab", " ab"]


# --- BPE: encode and decode --------------------------------------------------------------------------------


def test_bpe_round_trip_of_random_unicode(bpe):
    for text in random_texts(300, seed=5):
        ids = bpe.encode(text)
        assert bpe.decode(ids) == text, f"round trip failed for {text!r}"
        assert all(type(i) is int and 0 <= i < bpe.vocab_size for i in ids)


def test_bpe_round_trip_of_texts_it_never_saw(bpe):
    for text in ["Ünïcödé ⚡ naïve café", "日本語のテキスト", "مرحبا بالعالم", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\x00\x01\x7f", "\u2028\u2029",
                 "👨‍👩‍👧‍👦🏽", "a" * 1000, "<eos" * 10, "\ufffd", "\U0010ffff"]:
        assert bpe.decode(bpe.encode(text)) == text, f"round trip failed for {text!r}"


def test_bpe_compresses_what_it_learned(bpe):
    assert len(bpe.encode(ENGLISH)) < len(ENGLISH.encode("utf-8")) / 3
    held_out = "The model reads the tokens and writes the numbers back."
    assert len(bpe.encode(held_out)) < len(held_out.encode("utf-8")) * 0.6


def test_encode_uses_the_merges_learned_first():
    tokenizer = BPETokenizer().train("aaabdaaabac", vocab_size=1000)
    a, c, d = (4 + ord(ch) for ch in "acd")
    assert tokenizer.encode("aaabdaaabac") == [262, d, 262, a, c]
    assert tokenizer.encode("aaa") == [260, a], "aa is merged left to right"
    assert tokenizer.encode("ab") == [261]


def test_encode_applies_merges_in_the_order_learned():
    tokenizer = BPETokenizer().train("bc.bc.bc.ab.ab", vocab_size=300)
    a, b, c = (4 + ord(ch) for ch in "abc")
    assert tokenizer.merges == {(b, c): 260, (a, b): 261}, "bc (3 times) is learned before ab (twice)"
    assert tokenizer.encode("abc") == [a, 260], "bc was learned first, so it is merged first: a + bc, not ab + c"


def test_untrained_bpe_is_a_byte_tokenizer():
    tokenizer = BPETokenizer()
    text = "né 🙂"
    assert tokenizer.encode(text) == [4 + b for b in text.encode("utf-8")]


def test_decode_of_a_broken_character_does_not_raise(bpe):
    assert bpe.decode([4 + 0xF0, 4 + 0x9F]) == "\ufffd", "an incomplete UTF-8 sequence becomes U+FFFD"


def test_decode_accepts_arrays_and_tensors():
    tokenizer = CharTokenizer().train("abc")
    assert tokenizer.decode(np.array([4, 5, 6])) == "abc"
    assert tokenizer.decode(Tensor(np.array([4, 5, 6]), dtype=np.int64)) == "abc"
    assert tokenizer.decode(Tensor([4.0, 5.0])) == "ab", "whole numbers stored as floats are ids too"


@pytest.mark.parametrize("ids,message", [
    ([4, 99], "99"), ([-1], "-1"), ([4.5], "4.5"), ([True], "True"), (["4"], "'4'"), ([float("nan")], "nan"),
])
def test_decode_refuses_what_is_not_an_id(ids, message):
    tokenizer = CharTokenizer().train("abc")
    with pytest.raises(ValueError) as info:
        tokenizer.decode(ids)
    assert message in str(info.value), f"the message should name the bad id: {info.value}"


def test_decode_refuses_a_batch_and_a_bare_id():
    tokenizer = CharTokenizer().train("abc")
    with pytest.raises(ValueError, match="one sequence"):
        tokenizer.decode(np.array([[4, 5], [5, 6]]))
    with pytest.raises(TypeError):
        tokenizer.decode(4)


@pytest.mark.parametrize("kind", [CharTokenizer, BPETokenizer])
def test_encode_refuses_what_is_not_text(kind):
    tokenizer = kind()
    with pytest.raises(TypeError, match="decode bytes"):
        tokenizer.encode(b"abc")
    with pytest.raises(TypeError):
        tokenizer.encode(None)
    with pytest.raises(ValueError, match="surrogate"):
        tokenizer.encode("ab\ud800c")


# --- batches -----------------------------------------------------------------------------------------------


def test_encode_batch_pads_and_masks(bpe):
    texts = ["The model", "reads the numbers and writes them", "🙂"]
    ids, mask = bpe.encode_batch(texts)
    lengths = [len(bpe.encode(t)) for t in texts]
    assert ids.shape == mask.shape == (3, max(lengths))
    assert ids.dtype == np.int64 and mask.dtype == np.float32
    assert mask.data.sum(axis=1).tolist() == lengths, "the mask counts the real tokens of each row"
    for row, text in enumerate(texts):
        assert ids.data[row, :lengths[row]].tolist() == bpe.encode(text)
        assert (ids.data[row, lengths[row]:] == bpe.pad_id).all(), "the rest of a row is <pad>"
        assert bpe.decode(ids.data[row], skip_special_tokens=True) == text


def test_encode_batch_frames_and_truncates():
    tokenizer = CharTokenizer().train("abc")
    ids, mask = tokenizer.encode_batch(["abc", "a"], bos=True, eos=True, max_length=4)
    assert ids.data.tolist() == [[2, 4, 5, 6], [2, 4, 3, 0]]
    assert mask.data.tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]


def test_encode_batch_edge_cases():
    tokenizer = CharTokenizer().train("abc")
    ids, mask = tokenizer.encode_batch([])
    assert ids.shape == (0, 0) and mask.shape == (0, 0)
    with pytest.raises(TypeError, match="list of texts"):
        tokenizer.encode_batch("abc")
    with pytest.raises(ValueError, match="max_length"):
        tokenizer.encode_batch(["abc"], max_length=0)
    with pytest.raises(ValueError, match="<pad>"):
        CharTokenizer(special_tokens=("<eos>",)).train("abc").encode_batch(["a", "bc"])


def test_skipped_special_tokens_do_not_break_a_character():
    tokenizer = BPETokenizer()
    first, *rest = tokenizer.encode("日")
    ids = [first, tokenizer.pad_id, *rest]
    assert tokenizer.decode(ids, skip_special_tokens=True) == "日", "skipped tokens are decoded as if not there"


@pytest.mark.parametrize("kind", [CharTokenizer, BPETokenizer])
def test_train_refuses_what_is_not_text(kind):
    with pytest.raises(TypeError, match="decode bytes"):
        kind().train(b"abc", vocab_size=300) if kind is BPETokenizer else kind().train(b"abc")
    with pytest.raises(ValueError, match="surrogate"):
        kind().train("ab\udc80", vocab_size=300) if kind is BPETokenizer else kind().train("ab\udc80")


def test_training_on_nothing():
    assert BPETokenizer().train("", vocab_size=300).vocab_size == 260, "no text, no merges"
    empty = CharTokenizer().train("")
    assert empty.vocab_size == 4 and empty.encode("ab") == [1, 1]
