"""weakforge: weak supervision and data quality for NLP."""

__version__ = "0.1.0"
