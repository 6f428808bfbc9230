"""``python -m tito_jupyter`` and the ``tito`` command: the command-line face, started lightly.

``tito --help`` is answered from its remembered text (:mod:`.cli_help`), and ``tito export --all`` with nothing to
export from its receipt (:mod:`.noop_export`), before the face, its parser and the command table are imported;
anything else, or an answer not remembered, goes to :func:`tito_jupyter.cli.main`.
"""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from . import cli_help

    text = cli_help.recall(argv)
    if text is not None:
        cli_help.write_out(text)
        return 0
    from . import noop_export

    answered = noop_export.answer(argv)
    if answered is not None:
        return answered
    from .cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
