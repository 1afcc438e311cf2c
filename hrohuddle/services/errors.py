"""What a service refuses, in the user's words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hrohuddle.errors import UserFacingError

if TYPE_CHECKING:
    from hrohuddle.services.identifiers import Finding


class ServiceError(UserFacingError):
    """A refusal the person can read and act on."""


class ValidationError(ServiceError):
    """The input cannot be saved as it is; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IdentifierWarning(ValidationError):
    """Free text that looks like it holds a patient identifier: ``findings`` marks each."""

    def __init__(self, message: str, field: str, findings: list[Finding]) -> None:
        super().__init__(message, field)
        self.findings = findings


class PermissionDenied(ServiceError):
    """A refusal; ``recorded`` once the audit log holds it."""

    def __init__(self, message: str, action: str | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.recorded = False


class SessionEnded(PermissionDenied):
    """The Actor no longer stands for an open sign-in: signed out, locked, deactivated."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """Someone else changed the same record first."""


class EditConflict(Conflict):
    """A second, stale save of a record two people edited at once: refused.

    ``changes`` holds (what, stored now, what this person tried to save) for each
    field that differs; ``current_version`` lets the screen take the stored record
    as seen, so that saving again applies what this person typed, knowingly.
    """

    def __init__(
        self, message: str, changes: list[tuple[str, str, str]], current_version: int
    ) -> None:
        super().__init__(message)
        self.changes = changes
        self.current_version = current_version


class SignInRefused(ServiceError):
    pass


class ResourceFileError(ServiceError):
    """A data file in resources/ cannot be read; the message names file and line."""


class ValidationErrors(ValidationError):
    """Several inputs at fault at once: ``problems`` holds (field, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(" ".join(m for _f, m in problems), problems[0][0] if problems else None)
        self.problems = problems
