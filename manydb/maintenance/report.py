"""Plain-text tables for the maintenance command, and the exit statuses a cron job reads."""

DONE = 0
TO_FIX = 1  # something to fix: the output says what
UNREACHABLE = 2  # a database could not be reached


def table(columns: list[tuple[str, str]], rows: list[dict]) -> str:
    """Rows as an aligned text table; ``columns`` are (key, heading) pairs."""
    cells = [[heading for _, heading in columns]]
    cells += [["" if row.get(key) is None else _text(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def human_bytes(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def _text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    return " ".join(str(value).split())[:100]  # one line, a readable width
