"""What a move reports while it runs: a live line on a terminal, one line per model otherwise."""

import time


class Progress:
    """Rows, rows/s and ETA per model. Quiet (line per model) when ``stream`` is not a terminal."""

    def __init__(self, stream=None, *, live: bool | None = None):
        self.stream = stream
        self.live = bool(stream is not None and (stream.isatty() if live is None else live))
        self._shown = 0.0

    def start(self, label: str, total: int | None, done: int) -> None:
        self.label, self.total, self.done, self.copied = label, total, done, 0
        self.started = time.monotonic()

    def advance(self, rows: int) -> None:
        self.done += rows
        self.copied += rows
        now = time.monotonic()
        if self.live and now - self._shown >= 0.2:
            self._shown = now
            rate = self.copied / max(now - self.started, 1e-9)
            if self.total is None:  # unknown without a scan of its own
                self._write(f"\r{self.label}: {self.done:,} rows  {rate:,.0f} rows/s\x1b[K")
                return
            left = max(self.total - self.done, 0)
            eta = f"{left / rate:,.0f}s" if rate else "?"
            self._write(f"\r{self.label}: {self.done:,}/{self.total:,} rows  {rate:,.0f} rows/s  ETA {eta}\x1b[K")

    def finish(self, note: str = "") -> float:
        seconds = time.monotonic() - self.started
        rate = self.copied / seconds if seconds > 0 else 0
        line = f"{self.label}: {self.copied:,} row(s) copied in {seconds:.1f}s ({rate:,.0f} rows/s)"
        if self.done != self.copied:
            line += f", {self.done - self.copied:,} already there"
        line += f"; {note}" if note else ""
        self._write(f"\r{line}\x1b[K\n" if self.live else f"{line}\n")
        return seconds

    def say(self, line: str) -> None:
        self._write(line + "\n")

    def _write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)
            self.stream.flush()
