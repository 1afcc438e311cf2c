"""The one base for errors a person should read, below every layer.

A ``UserFacingError`` is shown as it is (a message box, one line on the command
line) and never with a traceback. Anything else that escapes is a bug: it reaches
the exception dialog and the log with its traceback.
"""

from __future__ import annotations


class UserFacingError(Exception):
    """What happened, in the user's words; ``detail`` for the log; ``what_to_do`` if known."""

    def __init__(
        self, message: str, *, detail: str | None = None, what_to_do: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.what_to_do = what_to_do
