"""Entry point of the frozen build."""

import sys

from hrohuddle.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
