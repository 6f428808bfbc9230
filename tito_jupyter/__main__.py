"""``python -m tito_jupyter``: the command-line face."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
