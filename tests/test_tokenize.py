from spacy.tokens import Doc

from weakforge.tokenize import blank_pipeline, token_bounds, words_and_spaces


def test_pretokenized_text_splits_on_single_spaces():
    assert token_bounds("EU rejects it .", pretokenized=True) == [
        (0, 2),
        (3, 10),
        (11, 13),
        (14, 15),
    ]


def test_cuts_split_tokens_at_span_edges():
    text = "Acme-Berlin rocks"
    assert token_bounds(text, cut_at=[5], pretokenized=True) == [(0, 5), (5, 11), (12, 17)]


def test_words_and_spaces_rebuild_the_exact_text():
    text = "  Hello,  world!\nNew line  "
    words, spaces = words_and_spaces(text, token_bounds(text))
    assert Doc(blank_pipeline().vocab, words=words, spaces=spaces).text == text


def test_many_cuts_in_a_long_text_split_every_token_they_fall_in():
    text = " ".join(["U.S.-led"] * 2000)
    cuts = [o for i in range(2000) for o in (i * 9 + 3, i * 9 + 4)]  # around each "." after S
    bounds = token_bounds(text, cuts)
    assert all(text[a:b] for a, b in bounds)
    pieces = [text[a:b] for a, b in bounds]
    assert pieces.count("U.S") == 2000 and pieces.count(".") >= 2000
    assert set(cuts) <= {a for a, _ in bounds} | {b for _, b in bounds}
