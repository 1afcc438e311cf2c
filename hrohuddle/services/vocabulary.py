"""Vocabularies and instruments read from resources/ (nothing clinical in code)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrohuddle.paths import resources_dir
from hrohuddle.services.errors import ResourceFileError


def load_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping; a malformed file raises ResourceFileError naming file and line."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResourceFileError(f"The data file {path} cannot be read: {exc.strerror}.") from exc
    except UnicodeDecodeError as exc:
        bad_line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ResourceFileError(
            f"The data file {path.name} is not UTF-8 text (line {bad_line}); save it as UTF-8."
        ) from exc
    try:
        # libyaml's loader where PyYAML was built with it: the same safe subset, ten
        # times faster than the pure-Python one (a report reads several files).
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else "?"
        raise ResourceFileError(
            f"The data file {path.name} is malformed at line {line}: {exc.problem}."
        ) from exc
    except yaml.YAMLError as exc:
        raise ResourceFileError(f"The data file {path.name} is malformed: {exc}.") from exc
    if not isinstance(data, dict):
        raise ResourceFileError(f"The data file {path.name} does not hold a mapping at the top.")
    return data


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    extra: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)


class Vocabulary:
    """Ordered lists of terms keyed by list name, from one YAML file."""

    def __init__(self, data: dict[str, Any], source: str) -> None:
        self.data = data
        self.source = source

    def terms(self, name: str) -> list[Term]:
        raw = self.data.get(name)
        if not isinstance(raw, list):
            raise ResourceFileError(f"The data file {self.source} has no list named “{name}”.")
        out = []
        for entry in raw:
            if not isinstance(entry, dict) or "key" not in entry or "label" not in entry:
                raise ResourceFileError(
                    f"The data file {self.source} has an entry in “{name}” without key and label."
                )
            extra = {k: v for k, v in entry.items() if k not in ("key", "label")}
            out.append(Term(str(entry["key"]), str(entry["label"]), extra))
        return out

    def keys(self, name: str) -> list[str]:
        return [t.key for t in self.terms(name)]

    def labels_by_key(self, name: str) -> dict[str, str]:
        """The list's display labels by key, in the file's order."""
        return {t.key: t.label for t in self.terms(name)}

    def label(self, name: str, key: str | None) -> str:
        if key is None:
            return ""
        for term in self.terms(name):
            if term.key == key:
                return term.label
        return key


@functools.cache
def taxonomy() -> Vocabulary:
    """The AHRQ Common Formats vocabulary for safety events."""
    path = resources_dir() / "taxonomies" / "common_formats.yaml"
    return Vocabulary(load_yaml(path), path.name)


@functools.cache
def unit_vocabulary() -> Vocabulary:
    """Professions, roles, huddle sections, look-ahead categories, HRO principles."""
    path = resources_dir() / "unit.yaml"
    return Vocabulary(load_yaml(path), path.name)


def source_line(relative_path: str) -> str:
    """The one-line "Source: ..." shown where an instrument or vocabulary is used."""
    path = resources_dir() / relative_path
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        version = -1  # load_yaml names the file and why it cannot be read
    return _source_line(path, version, relative_path)


@functools.lru_cache(maxsize=64)
def _source_line(path: Path, _mtime_ns: int, relative_path: str) -> str:
    """Read once per version of the file: a report names seven sources, some twice."""
    data = load_yaml(path)
    prov = data.get("provenance")
    cite = prov.get("cite") if isinstance(prov, dict) else None
    if not cite:
        raise ResourceFileError(f"The data file {relative_path} does not name its source.")
    return f"Source: {cite}."


def common_formats_class(kind: str) -> Term | None:
    """The Common Formats class (incident, near miss, unsafe condition) a kind reports as.

    Good catch and workaround are HRO Huddle's own kinds; the taxonomy maps each onto
    a class so that reports can be forwarded to a patient safety organisation.
    """
    tax = taxonomy()
    for term in tax.terms("kinds"):
        if term.key == kind:
            wanted = str(term.get("cf_class", ""))
            return next((c for c in tax.terms("classes") if c.key == wanted), None)
    return None


def common_formats_version() -> str:
    """The Common Formats edition the taxonomy follows, for exports."""
    prov = taxonomy().data.get("provenance") or {}
    return str(prov.get("edition", ""))
