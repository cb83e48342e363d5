"""`python -m workbench ...`: the batch script, a thin layer over the library."""

import sys

from workbench.cli import main

if __name__ == "__main__":
    sys.exit(main())
