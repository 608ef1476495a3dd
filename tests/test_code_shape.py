"""The code's own shape: no function in perfcalc/ or site/perfcalc_site/ longer than 60 lines of code."""

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (ROOT / "perfcalc", ROOT / "site" / "perfcalc_site")
MAX_CODE_LINES = 60
# Functions allowed to be longer, each with its reason. Every entry must still be over the limit (the
# test below fails on a stale one), so the list only shrinks.
EXEMPT: dict[str, str] = {}


def code_lines(source: str, node: ast.AST) -> int:
    """Lines of a function that hold code: not blank, not only a comment, not its docstring.

    >>> src = "def f(x):\\n    # why\\n\\n    y = x + 1\\n    return y\\n"
    >>> code_lines(src, ast.parse(src).body[0])
    3
    """
    first, last = node.lineno, node.end_lineno
    if node.decorator_list:
        first = min(d.lineno for d in node.decorator_list)
    skip = set()
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        skip.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines = set()
    segment = "\n".join(source.splitlines()[first - 1:last])
    for tok in tokenize.generate_tokens(io.StringIO(segment).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                        tokenize.ENDMARKER):
            continue
        for row in range(tok.start[0], tok.end[0] + 1):
            lines.add(row + first - 1)
    return len(lines - skip)


def _functions():
    """(path:Qualified.name, lines of code) for every function and method."""
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            source = path.read_text(encoding="utf-8")
            yield from _walk(source, ast.parse(source), f"{path.relative_to(ROOT)}:")


def _walk(source: str, node: ast.AST, prefix: str):
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + child.name, code_lines(source, child)
            yield from _walk(source, child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _walk(source, child, f"{prefix}{child.name}.")
        else:
            yield from _walk(source, child, prefix)


def test_no_function_is_longer_than_60_lines_of_code():
    long = {name: n for name, n in _functions() if n > MAX_CODE_LINES and name not in EXEMPT}
    assert not long, f"functions over {MAX_CODE_LINES} lines of code (split them where their steps are): {long}"


def test_every_exemption_is_still_needed():
    lengths = dict(_functions())
    stale = [name for name in EXEMPT if lengths.get(name, 0) <= MAX_CODE_LINES]
    assert not stale, f"no longer over {MAX_CODE_LINES} lines (or gone): take them off EXEMPT: {stale}"


def test_the_count_skips_docstrings_comments_and_blank_lines():
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    src = f'def f():\n    """Doc\n\n    more."""\n    # a comment\n\n{body}\n'
    assert code_lines(src, ast.parse(src).body[0]) == 62  # the def line and 61 assignments
