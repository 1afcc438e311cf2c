"""Entry point: ``hrohuddle`` starts the desktop app, ``hrohuddle COMMAND`` the command line."""

from __future__ import annotations

import gc
import sys


def main(argv: list[str] | None = None) -> int:
    # Start-up allocates hundreds of thousands of long-lived objects (Qt bindings, the
    # ORM, the models) and no garbage worth collecting: the collector waits until the
    # sign-in screen is painted (app.Startup) or a command is chosen (cli.run).
    gc.disable()
    from hrohuddle.cli import run

    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
