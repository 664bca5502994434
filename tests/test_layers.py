"""The layering the README's map promises, checked: import-linter's contract in
pyproject.toml, and the CLI's start-up staying free of the heavy libraries."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(config: Path, cwd: Path) -> subprocess.CompletedProcess:
    """import-linter on ``config``, in its own process (it reconfigures logging)."""
    code = "import sys\nfrom importlinter.cli import lint_imports_command\nlint_imports_command()"
    return subprocess.run(
        [sys.executable, "-c", code, "--config", str(config), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_every_package_imports_only_the_layers_below_it():
    result = lint_imports(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contract_fails_when_a_lower_layer_imports_a_higher_one(tmp_path):
    """The check is not vacuous: the same kind of contract over a package with one upward
    import (records -> stages) is broken."""
    package = tmp_path / "layered"
    package.mkdir()
    for name, body in {
        "__init__.py": "",
        "records.py": "from layered import stages\n",
        "stages.py": "",
    }.items():
        (package / name).write_text(body)
    (tmp_path / "setup.cfg").write_text(
        "[importlinter]\nroot_package = layered\n\n"
        "[importlinter:contract:layers]\nname = layers\ntype = layers\n"
        "containers = layered\nlayers =\n    stages\n    records\n"
    )
    result = lint_imports(tmp_path / "setup.cfg", tmp_path)
    assert result.returncode != 0 and "layered.records -> layered.stages" in result.stdout


@pytest.mark.parametrize(
    "code",
    [
        "import weakforge.records",
        "import weakforge.config",
        "from weakforge.cli import app\ntry:\n    app(['--help'])\nexcept SystemExit:\n    pass",
    ],
)
def test_the_cli_and_the_base_layer_load_neither_spacy_nor_torch(code):
    heavy = "{'spacy', 'torch', 'transformers'}"
    probe = code + f"\nimport sys\nprint(sorted({heavy} & set(sys.modules)))"
    shown = (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    assert shown == "[]"


def test_the_rule_api_loads_on_first_use():
    from weakforge import span_rule
    from weakforge.labeling.rules import span_rule as defined

    assert span_rule is defined
    with pytest.raises(AttributeError, match="no attribute 'spam_rule'"):
        import weakforge

        weakforge.spam_rule  # noqa: B018


def test_every_public_name_is_lazily_importable():
    import weakforge

    assert sorted(weakforge.__all__) == sorted(weakforge.RULE_API)
    for name in weakforge.__all__:
        assert callable(getattr(weakforge, name))
