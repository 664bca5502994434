"""Finding labeling functions: import rules files and collect the rules they define.

A rules file is plain Python; every module-level :class:`LabelingFunction` (or list/tuple of
them) is a rule. Nothing registers itself globally: the same folder scanned twice gives the
same rules. Mistakes (a file that fails to import, two rules with one name, a label the task
does not know, a rule of the wrong kind) are errors naming the rule and the file.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from weakforge.errors import RuleError, WeakforgeError
from weakforge.labeling.rules import LabelingFunction
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleSet:
    """The rules of one task, and the spaCy pipeline that must parse documents for them."""

    rules: tuple[LabelingFunction, ...]
    model: str | None = None

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.rules]


def rule_files(paths: Sequence[Path]) -> list[Path]:
    """``.py`` files under the given files/folders (``_private.py`` files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.py") if not p.name.startswith("_"))
        elif path.suffix == ".py":
            files.append(path)
        else:
            raise RuleError(f"{path}: not a rules folder or .py file; check [label] rules")
    return files


def import_rules_file(path: Path) -> list[LabelingFunction]:
    """Import one rules file under a private module name and collect its rules in order."""
    found: list[LabelingFunction] = []
    for value in vars(import_rules_module(path)).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        found += [x for x in items if isinstance(x, LabelingFunction)]
    return found


def import_rules_module(path: Path) -> ModuleType:
    """Import one rules file under a private module name (another rules file can reuse its
    rules and constants this way); import errors name the file and line."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    module_name = f"weakforge_rules_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise RuleError(f"{path}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickling look modules up here
    working_dir = os.getcwd()
    try:
        spec.loader.exec_module(module)
    except WeakforgeError as exc:
        raise RuleError(f"{path}: {exc}") from None
    except (Exception, SystemExit) as exc:  # a sys.exit() in a rules file is no way out
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise RuleError(
            f"{path}: importing the rules failed at line {where.lineno}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    finally:
        if os.getcwd() != working_dir:  # a rules file's os.chdir must not move the run
            log.warning("%s changed the working directory; it is set back", path)
            os.chdir(working_dir)
    return module


def discover(
    paths: Sequence[Path],
    task: str,
    labels: Sequence[str] = (),
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> RuleSet:
    """All rules of the task's kind under ``paths``, checked; ``include`` (if given) and
    ``exclude`` pick rules by name."""
    kind = task_kind(task).rule_kind
    by_name: dict[str, LabelingFunction] = {}
    for file in rule_files(paths):
        for rule in import_rules_file(file):
            if rule.kind != kind:
                log.debug("%s: %s rule '%s' skipped in a %s task", file, rule.kind, rule.name, task)
                continue
            if rule.name in by_name and by_name[rule.name] is not rule:
                raise RuleError(
                    f"two rules are named '{rule.name}': in {by_name[rule.name].file}"
                    f" and in {rule.file or file}; rename one"
                )
            by_name[rule.name] = rule
    both = sorted(set(include) & set(exclude))
    if both:
        raise RuleError(
            f"[label] include and exclude both name {both}; a rule is either taken or left "
            "out: remove it from one of them"
        )
    unknown = [n for n in (*include, *exclude) if n not in by_name]
    if unknown:
        raise RuleError(
            f"[label] include/exclude name unknown rules {unknown}; rules found: {sorted(by_name)}"
        )
    chosen = [r for n, r in by_name.items() if (not include or n in include) and n not in exclude]
    for rule in chosen:
        stray = [x for x in rule.labels if labels and x not in labels]
        if stray:
            raise RuleError(
                f"rule '{rule.name}' ({rule.file}) emits unknown label(s) {stray}; "
                f"valid labels: {list(labels)} (map them, or add them to [run] "
                "labels)"
            )
    models = {r.model for r in chosen if r.model}
    if len(models) > 1:
        raise RuleError(
            f"rules need different spaCy pipelines {sorted(models)}; documents are "
            "parsed once, so use one pipeline for all model voters"
        )
    if not chosen and (include or exclude):
        raise RuleError(
            f"[label] include/exclude leave no {kind} rule of {sorted(by_name)}; "
            "name at least one rule to keep"
        )
    if not chosen:
        log.warning("no %s rules found in %s", kind, [str(p) for p in paths])
    return RuleSet(tuple(chosen), models.pop() if models else None)
