"""Documented command lines, run through the real CLI at build time; their output goes in the page.

A line may end with ``# exits N`` when the example shows a failure; any other
exit status fails the build, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex

from .render import FenceError

EXPECT = re.compile(r"\s+#\s*exits\s+(\d+)\s*$")


def run_cli(line: str, where: str) -> str:
    """Run one ``perfcalc …`` line; return what a terminal shows: the prompt, the output, a failure's status.

    >>> print(run_cli("perfcalc amdahl --serial-pct 10 --concurrency 4", "cli.md").splitlines()[0])
    $ perfcalc amdahl --serial-pct 10 --concurrency 4
    """
    from perfcalc.cli import main

    expected = EXPECT.search(line)
    command = EXPECT.sub("", line).strip()
    argv = shlex.split(command)
    if not argv or argv[0] != "perfcalc":
        raise FenceError(f"{where}: perfcalc-cli lines must start with 'perfcalc', got {command!r}")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv[1:])
        except SystemExit as exc:  # argparse's own exits (usage errors, --help)
            status = exc.code or 0
    want = int(expected.group(1)) if expected else 0
    if status != want:
        raise FenceError(f"{where}: `{command}` exited {status}, the page says {want}:\n{err.getvalue()}")
    shown = f"$ {command}\n{out.getvalue()}{err.getvalue()}".rstrip("\n")
    if status:
        shown += f"\n$ echo $?\n{status}"
    return shown


def console_block(text: str) -> str:
    """A terminal transcript as the theme's code block (so it gets the copy button and the code styling)."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import BashSessionLexer

    code = highlight(text, BashSessionLexer(), HtmlFormatter(nowrap=True))
    return f'<div class="language-console highlight"><pre><span></span><code>{code}</code></pre></div>'
