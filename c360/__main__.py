"""`python -m c360` and the `c360` console script."""

import sys

from c360.cli import main


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
