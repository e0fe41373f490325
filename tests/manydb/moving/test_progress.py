"""What move_data prints: a live line on a terminal, one line per model otherwise."""

from io import StringIO

from manydb.moving.progress import Progress


def test_a_terminal_sees_rows_rate_and_eta_as_they_change():
    out = StringIO()
    progress = Progress(out, live=True)
    progress.start("legacy.Customer", total=1000, done=200)
    progress.advance(300)
    progress.finish()
    live, final = out.getvalue().split("\x1b[K", 1)
    assert live.startswith("\rlegacy.Customer: 500/1,000 rows") and "rows/s" in live and "ETA" in live
    assert "legacy.Customer: 300 row(s) copied in" in final and "200 already there" in final


def test_elsewhere_one_quiet_line_per_model():
    out = StringIO()
    progress = Progress(out, live=False)
    progress.start("legacy.Order", total=10, done=0)
    progress.advance(10)
    progress.finish("table created")
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and "\r" not in out.getvalue()
    assert lines[0].startswith("legacy.Order: 10 row(s) copied in") and lines[0].endswith("; table created")
