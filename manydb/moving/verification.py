"""Proving the target holds the source's rows: counts and a checksum per primary-key range.

The source's primary keys are read once, in order, from a server-side
cursor; every ``size`` rows close a range (the first range is open below,
the last open above, so rows the target has beyond the source's ends are
counted too). Each side computes its range's row count and checksum:

- inside the database when both are PostgreSQL or MySQL and every column's
  type has a canonical SQL expression (manydb.moving.checksums);
- otherwise in Python: each side's rows, read from its own engine, become the
  same canonical text through the ORM's converters (a datetime in UTC, a
  decimal at its field's places, JSON with sorted keys).

A range's checksum is a sum of per-row hashes, so the order each engine
returns the rows in does not matter.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

from manydb.moving import checksums
from manydb.moving.prefetch import side_by_side
from manydb.moving.rows import Selection, python_rows, readers

_MASK = (1 << 64) - 1


@dataclass(frozen=True)
class RangeDigest:
    rows: int
    checksum: int


@dataclass(frozen=True)
class Mismatch:
    """A primary-key range whose rows differ: (low, high], None meaning open."""

    label: str
    low: object
    high: object
    source: RangeDigest
    target: RangeDigest

    def __str__(self):
        low = "-inf" if self.low is None else self.low
        high = "+inf" if self.high is None else self.high
        return (
            f"{self.label}: rows differ for pk in ({low}, {high}]: "
            f"source {self.source.rows} row(s) checksum {self.source.checksum:016x}, "
            f"target {self.target.rows} row(s) checksum {self.target.checksum:016x}"
        )


@dataclass(frozen=True)
class Verdict:
    label: str
    rows: int
    ranges: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def verify(source: Selection, target: Selection, *, size: int = 10000, stop_after: int = 10) -> Verdict:
    """Compare source and target range by range; at most ``stop_after`` mismatches are collected."""
    label = source.model._meta.label
    if checksums.supported(source, target):
        return _verify_in_databases(source, target, label, size, stop_after)
    source_readers = readers(source)
    pk_index = [field.attname for field in source.fields].index(source.pk.attname)
    mismatches = []
    rows = ranges = 0
    low = None
    for chunk in source.chunks(size=size):
        high = chunk[-1][pk_index]
        values = list(python_rows(chunk, source_readers, source.connection))
        last = len(chunk) < size
        _check(source, target, label, low, None if last else high, values, mismatches)
        rows, ranges, low = rows + len(chunk), ranges + 1, high
        if last or len(mismatches) >= stop_after:
            break
    else:
        # The source ended on a full chunk (or was empty): the target must hold nothing above it.
        _check(source, target, label, low, None, [], mismatches)
        ranges += 1
    return Verdict(label, rows, ranges, tuple(mismatches))


def _verify_in_databases(source, target, label, size, stop_after) -> Verdict:
    mismatches = []
    rows = ranges = 0
    low, bounds = None, []
    for chunk in source.chunks(size=size, columns=["pk"]):
        full = len(chunk) == size
        bounds.append((low, chunk[-1][0] if full else None))
        low = chunk[-1][0]
        if not full:
            break
    else:
        bounds.append((low, None))
    with side_by_side() as other_side:
        for low, high in bounds:
            theirs = other_side.submit(checksums.range_checksum, target, low, high)
            expected = RangeDigest(*checksums.range_checksum(source, low, high))
            actual = RangeDigest(*theirs.result())
            rows, ranges = rows + expected.rows, ranges + 1
            if expected != actual:
                mismatches.append(Mismatch(label, low, high, expected, actual))
                if len(mismatches) >= stop_after:
                    break
    return Verdict(label, rows, ranges, tuple(mismatches))


def _check(source, target, label, low, high, source_values, mismatches) -> None:
    fields = source.fields
    expected = digest(source_values, fields)
    actual = target_digest(target, low, high)
    if expected != actual:
        mismatches.append(Mismatch(label, low, high, expected, actual))


def target_digest(selection: Selection, low, high) -> RangeDigest:
    sql, params = selection.select_sql(after=low, upto=high)
    target_readers = readers(selection)
    with selection.connection.cursor() as cursor:
        cursor.execute(sql, params)
        total = RangeDigest(0, 0)
        while chunk := cursor.fetchmany(10000):
            values = python_rows(chunk, target_readers, selection.connection)
            if selection.keep is not None:
                values = filter(selection.keep, values)
            part = digest(values, selection.fields)
            total = RangeDigest(total.rows + part.rows, (total.checksum + part.checksum) & _MASK)
    return total


def digest(rows, fields) -> RangeDigest:
    count = checksum = 0
    for row in rows:
        text = "\x1f".join(canonical(value, field) for value, field in zip(row, fields, strict=True))
        checksum += int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
        count += 1
    return RangeDigest(count, checksum & _MASK)


def canonical(value, field) -> str:
    """One value as text every engine's copy of it agrees on."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:  # USE_TZ = False: naive on every engine alike
            return value.isoformat()
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, decimal.Decimal):
        places = getattr(field, "decimal_places", None)
        return f"{value:.{places}f}" if places is not None else format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\x1f", "\\x1f")
