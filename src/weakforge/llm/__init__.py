"""A large language model as a labeling source: prompts with few-shot examples, scoring of
each label's word (one forward pass per text over a cached prompt prefix), contextual
calibration, a vote cache, and two backends: a local causal model through transformers and
any OpenAI-compatible server. ``weakforge.labeling.llm`` turns this into a labeling function.
"""
