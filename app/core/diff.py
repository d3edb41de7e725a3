"""Word-level differences between two texts, for conflict and history pages."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"\s+|[^\s]+")

Op = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class DiffChunk:
    op: Op
    text: str


def word_diff(old: str, new: str) -> list[DiffChunk]:
    """Split both texts into words and spaces and return the chunks kept, added and removed.

    Changes separated only by white space are joined, so a rewritten sentence reads as one
    removal and one addition rather than word-by-word fragments.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    merged: list[list] = []  # type: ignore[type-arg]
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1
        if tag == "equal" and between_changes and all(token.isspace() for token in a[i1:i2]):
            tag = "replace"
        if tag != "equal" and merged and merged[-1][0] != "equal":
            merged[-1][2], merged[-1][4] = i2, j2
        else:
            merged.append([tag, i1, i2, j1, j2])
    chunks: list[DiffChunk] = []
    for tag, i1, i2, j1, j2 in merged:
        if tag == "equal":
            chunks.append(DiffChunk("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(DiffChunk("delete", "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(DiffChunk("insert", "".join(b[j1:j2])))
    return chunks


def diff_stats(chunks: list[DiffChunk]) -> dict[str, int]:
    words = {"insert": 0, "delete": 0}
    for chunk in chunks:
        if chunk.op in words:
            words[chunk.op] += len(chunk.text.split())
    return {"added": words["insert"], "removed": words["delete"]}
