"""``python -m srcdiff``: see :mod:`srcdiff.cli`."""

import sys

from srcdiff.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
