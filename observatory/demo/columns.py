"""CSV rows assembled as bytes with numpy, column by column (no Python loop per row), so that
millions of synthetic snapshot rows are written in seconds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_POW10 = 10 ** np.arange(19, dtype=np.int64)


class Table:
    """Strings stored once as bytes; a column refers to them by code. An entry given as a tuple
    spans several cells (fewer, longer columns render faster)."""

    def __init__(self, entries: Sequence[str | tuple[str, ...]]) -> None:
        cells = [e if isinstance(e, tuple) else (e,) for e in entries]
        every = "\0".join("\0".join(entry) for entry in cells)
        if any(mark in every for mark in ',"\n\r'):
            raise ValueError("texte qui demanderait des guillemets dans un fichier CSV")
        encoded = [",".join(entry).encode("utf-8") for entry in cells]
        self.lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        self.offsets = np.cumsum(self.lengths) - self.lengths
        self.flat = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8)
        self.width = int(self.lengths[0]) if len(encoded) and (self.lengths == self.lengths[0]).all() else -1

    @classmethod
    def fixed(cls, matrix: np.ndarray) -> Table:
        """Entries of one width, given as the rows of a matrix of ASCII codes."""
        table = cls([])
        count, width = matrix.shape
        table.lengths = np.full(count, width, dtype=np.int64)
        table.offsets = np.arange(count, dtype=np.int64) * width
        table.flat = np.ascontiguousarray(matrix, dtype=np.uint8).ravel()
        table.width = width
        return table


@dataclass
class TextColumn:
    table: Table
    codes: np.ndarray
    joined: bool = False  # no comma after it: glued to the next column

    def lengths(self) -> np.ndarray:
        return self.table.lengths[self.codes]

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        # Rows of the same width together, one byte position at a time: small index arrays.
        widths = [self.table.width] if self.table.width >= 0 else np.unique(lengths).tolist()
        for width in widths:
            if self.table.width >= 0:
                where, source = pos, self.table.offsets[self.codes]
            else:
                chosen = lengths == width
                where, source = pos[chosen], self.table.offsets[self.codes[chosen]]
            for j in range(width):
                buf[where + j] = self.table.flat[source + j]


@dataclass
class IntColumn:
    values: np.ndarray  # int64, >= 0
    missing: np.ndarray | None = None  # True where the cell stays empty
    joined: bool = False

    def lengths(self) -> np.ndarray:
        digits = 1 + np.searchsorted(_POW10[1:], self.values, side="right")
        return np.where(self.missing, 0, digits) if self.missing is not None else digits

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        # From the last digit leftwards, dropping the rows whose number is fully written.
        live = lengths > 0
        where, rest, width = pos[live] + lengths[live] - 1, self.values[live], lengths[live]
        written = 0
        while len(where):
            buf[where] = (rest % 10 + 48).astype(np.uint8)
            written += 1
            more = width > written
            where, rest, width = where[more] - 1, rest[more] // 10, width[more]


@dataclass
class DigitColumn:
    """A non-negative integer written in a fixed width with its own alphabet (base32, hex…)."""

    values: np.ndarray
    alphabet: str
    width: int
    joined: bool = False

    def lengths(self) -> np.ndarray:
        return np.full(len(self.values), self.width, dtype=np.int64)

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        symbols = np.frombuffer(self.alphabet.encode("ascii"), dtype=np.uint8)
        base = len(self.alphabet)
        rest = self.values.copy()
        for k in range(self.width - 1, -1, -1):
            buf[pos + k] = symbols[rest % base]
            rest //= base


Column = TextColumn | IntColumn | DigitColumn


def render_rows(columns: Sequence[Column], count: int) -> bytes:
    """CSV lines (no quoting needed: no cell holds a comma, a quote or a line break)."""
    if count == 0:
        return b""
    lengths = [c.lengths() for c in columns]
    commas = sum(1 for c in columns[:-1] if not c.joined)
    row_len = np.sum(lengths, axis=0) + commas + 1
    starts = np.cumsum(row_len) - row_len
    buf = np.full(int(row_len.sum()), ord(","), dtype=np.uint8)
    buf[starts + row_len - 1] = ord("\n")
    pos = starts
    for column, width in zip(columns, lengths, strict=True):
        column.write(buf, pos, width)
        pos = pos + width + (0 if column.joined else 1)
    return buf.tobytes()


def write_csv(path: Path, header: Sequence[str], body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((",".join(header) + "\n").encode("ascii") + body)
