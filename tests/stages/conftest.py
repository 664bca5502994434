import pytest

CAPITALS_AS_PER = """from weakforge import span_rule

@span_rule(label='PER')
def capitals(doc):
    return [(t.i, t.i + 1) for t in doc if t.is_title]
"""


@pytest.fixture
def capitals_rule(tmp_path):
    """Writes ``rules.py`` into ``tmp_path``: one rule, ``capitals``, voting every
    title-case word a PER."""
    (tmp_path / "rules.py").write_text(CAPITALS_AS_PER)
