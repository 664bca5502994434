"""Learners that the aggregate and audit stages share: cross-fitting folds, the linear probe
on embeddings, sentence embeddings (the only importer of sentence-transformers), the static
encoder (model2vec) and nearest neighbours (faiss)."""
