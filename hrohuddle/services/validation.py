"""Checks shared by every service's inputs."""

from __future__ import annotations

from collections.abc import Sequence

from hrohuddle.services.errors import IdentifierWarning, ValidationError
from hrohuddle.services.identifiers import find_identifiers
from hrohuddle.services.personal_names import is_roster_name


def text(
    value: str | None,
    label: str,
    *,
    field: str,
    max_len: int = 2000,
    required: bool = True,
    check_identifiers: bool = False,
    roster: Sequence[str] = (),
    allowed_names: Sequence[str] = (),
) -> str | None:
    """Trimmed text, or a ValidationError that names the input in the user's words.

    Text is stored exactly as typed (inside the trim): it is never interpreted.
    """
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise ValidationError(f"{label} is empty. Please write something.", field)
        return None
    if "\x00" in cleaned:
        raise ValidationError(f"{label} contains a character that cannot be stored.", field)
    if len(cleaned) > max_len:
        raise ValidationError(
            f"{label} is {len(cleaned):,} characters long; the most is {max_len:,}. "
            "Please shorten it.",
            field,
        )
    if check_identifiers:
        findings = find_identifiers(cleaned, roster, allowed_names=allowed_names)
        if findings:
            colleagues = {f.text for f in findings if is_roster_name(f.text, roster)}
            if len(colleagues) == len(findings):  # only colleagues' names: said as such
                raise IdentifierWarning(
                    f"{label} names someone on the unit ({', '.join(sorted(colleagues))}). "
                    "Please describe their role instead of naming a colleague.",
                    field,
                    list(findings),
                )
            what = ", ".join(sorted({f.label for f in findings}))
            raise IdentifierWarning(
                f"{label} looks like it contains {what}. Please remove anything that could "
                "identify a patient before saving.",
                field,
                list(findings),
            )
    return cleaned


def choice(value: str | None, allowed: list[str], label: str, *, field: str) -> str:
    if value not in allowed:
        raise ValidationError(f"Please choose {label}.", field)
    return value
