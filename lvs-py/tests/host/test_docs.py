"""Every public class, function, method and property of lvs has a docstring, both at run
time (what help() shows) and in the stubs (what editors show)."""

import ast
import enum
import inspect
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, List, Tuple

import lvs
import lvs.aio
import lvs.rules

STUB = Path(lvs.__file__).with_name("_lvs.pyi")


def _public_members(module: ModuleType) -> Iterator[Tuple[str, Any]]:
    for name in module.__all__:
        if name.startswith("_"):
            continue
        value = getattr(module, name)
        yield f"{module.__name__}.{name}", value
        if inspect.isclass(value) and not issubclass(value, (enum.Enum, BaseException)):
            for attr, member in vars(value).items():
                if attr.startswith("_"):
                    continue
                yield f"{module.__name__}.{name}.{attr}", member


def test_every_public_callable_has_a_runtime_docstring() -> None:
    missing: List[str] = []
    for module in (lvs, lvs.rules, lvs.aio):
        for name, member in _public_members(module):
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            documented = callable(member) or isinstance(member, property) or inspect.isdatadescriptor(member) or inspect.ismethoddescriptor(member)
            if not documented:
                continue
            doc = getattr(member, "__doc__", None)
            if not doc or not doc.strip():
                missing.append(name)
    assert missing == []


def test_every_public_stub_has_a_docstring() -> None:
    tree = ast.parse(STUB.read_text())
    missing: List[str] = []

    def visit(body: List[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("_"):
                    continue
                if ast.get_docstring(node) is None:
                    missing.append(prefix + node.name)
                if isinstance(node, ast.ClassDef):
                    visit(node.body, f"{prefix}{node.name}.")

    visit(tree.body, "")
    assert missing == []
