import numpy as np

from weakforge.learners.embeddings import embed, word_vectors


def test_embeddings_are_normalised_and_cached(tiny_model_dir, tmp_path):
    texts = ["check out my channel", "great song", "check out my channel"]
    first = embed(texts, tiny_model_dir, tmp_path / "cache")
    assert first.shape == (3, 32)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.allclose(first[0], first[2])
    assert len(list((tmp_path / "cache").glob("chunk-*.npz"))) == 1
    again = embed(texts + ["new text"], tiny_model_dir, tmp_path / "cache")
    assert np.allclose(again[:3], first, atol=1e-6)
    assert len(list((tmp_path / "cache").glob("chunk-*.npz"))) == 2  # only the new text


def test_word_vectors_align_to_character_ranges(tiny_model_dir):
    text = "angela merkel met officials"
    words = [(0, 6), (7, 13), (14, 17), (18, 27)]
    vectors = word_vectors([text], [words], tiny_model_dir)[0]
    assert vectors.shape == (4, 32) and np.all(np.abs(vectors).sum(axis=1) > 0)


def test_a_corrupt_or_half_written_chunk_is_recomputed(tiny_model_dir, tmp_path):
    texts = ["check out my channel", "great song"]
    first = embed(texts, tiny_model_dir, tmp_path / "cache")
    (chunk,) = (tmp_path / "cache").glob("chunk-*.npz")
    chunk.write_bytes(chunk.read_bytes()[:100])  # a kill mid-copy, or a bad disk
    (tmp_path / "cache" / ".chunk-00007.npz.tmp").write_bytes(b"left by a killed run")
    again = embed(texts, tiny_model_dir, tmp_path / "cache")
    assert np.allclose(again, first, atol=1e-6)
    assert len(list((tmp_path / "cache").glob("chunk-*.npz"))) == 1  # rewritten whole


def test_a_static_model_is_distilled_once_and_embeds_fast(tiny_model_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    texts = ["free money click now", "free money click now !", "i love this song"]
    vectors = embed(texts, f"static:{tiny_model_dir}", tmp_path / "emb")
    norms = np.linalg.norm(vectors, axis=1)  # unit length (zero for a text of unknown pieces:
    assert vectors.shape[0] == 3 and np.all(np.isclose(norms, 1) | (norms == 0))  # tiny vocab)
    assert list((tmp_path / "cache" / "static").glob("*/model.safetensors"))
    again = embed(texts[:1] + ["another text"], f"static:{tiny_model_dir}", tmp_path / "emb")
    assert np.allclose(again[0], vectors[0])
