"""Comparing two snapshots of a plan (two versions, or a version and the current draft), section by section.

Sections are matched by their key, which stays the same when a section is renamed or moved. A section is
*moved* when it is not in the longest run of common sections that kept their order, so swapping two
neighbours marks one of them, not every section after it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from app.core.diff import DiffChunk, diff_stats, word_diff
from app.governance.services.adoption import Snapshot, SnapshotSection


@dataclass(frozen=True)
class SectionChange:
    key: str
    old: SnapshotSection | None
    new: SnapshotSection | None
    chunks: tuple[DiffChunk, ...]
    moved: bool

    @property
    def title(self) -> str:
        return (self.new or self.old).title  # type: ignore[union-attr]

    @property
    def kind(self) -> str:
        """added, removed, changed or unchanged (a rename or a move alone counts as changed)."""
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if (self.old.body != self.new.body or self.renamed or self.moved) else "unchanged"

    @property
    def renamed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.title != self.new.title

    @property
    def stats(self) -> dict[str, int]:
        return diff_stats(list(self.chunks))


@dataclass(frozen=True)
class Comparison:
    old: Snapshot
    new: Snapshot
    sections: tuple[SectionChange, ...]

    def of_kind(self, kind: str) -> list[SectionChange]:
        return [s for s in self.sections if s.kind == kind]

    @property
    def renamed(self) -> list[SectionChange]:
        return [s for s in self.sections if s.renamed]

    @property
    def moved(self) -> list[SectionChange]:
        return [s for s in self.sections if s.moved]

    @property
    def title_changed(self) -> bool:
        return self.old.title != self.new.title

    @property
    def period_changed(self) -> bool:
        return self.old.period != self.new.period


def compare(old: Snapshot, new: Snapshot) -> Comparison:
    """Every section of ``new`` in its order, each removed section of ``old`` after the one it followed."""
    old_by_key = {s.key: s for s in old.sections}
    new_keys = {s.key for s in new.sections}
    common_old = [s.key for s in old.sections if s.key in new_keys]
    common_new = [s.key for s in new.sections if s.key in old_by_key]
    matcher = difflib.SequenceMatcher(a=common_old, b=common_new, autojunk=False)
    in_order = {key for block in matcher.get_matching_blocks() for key in common_new[block.b : block.b + block.size]}
    changes: list[SectionChange] = []
    for section in new.sections:
        before = old_by_key.get(section.key)
        chunks = word_diff(before.body if before else "", section.body)
        changes.append(
            SectionChange(section.key, before, section, tuple(chunks), bool(before) and section.key not in in_order)
        )
    for index, section in enumerate(old.sections):
        if section.key in new_keys:
            continue
        removed = SectionChange(section.key, section, None, tuple(word_diff(section.body, "")), False)
        previous = [s.key for s in old.sections[:index]]
        at = max((n + 1 for n, c in enumerate(changes) if c.key in previous), default=0)
        changes.insert(at, removed)
    return Comparison(old, new, tuple(changes))
