"""Running ``%tito`` in the tests' IPython shell the way a cell does, and catching what it shows."""

from __future__ import annotations

from IPython.utils.capture import capture_output

from tito_jupyter.magics import last_result


def tito(shell, line: str):
    """Run ``%tito line``; return (result dict or None if none was produced, everything shown)."""
    before = last_result()
    with capture_output() as captured:
        shell.run_line_magic("tito", line)
    shown = captured.stdout + captured.stderr + "".join(
        out.data.get("text/plain", "") for out in captured.outputs)
    after = last_result()
    return (after if after is not before else None), shown
