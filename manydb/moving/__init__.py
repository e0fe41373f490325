"""Moving an app's rows between databases and engines.

schema.py        which models move, in what order; their tables on the target
rows.py          reading rows from a server-side cursor, a chunk at a time
writers.py       COPY into PostgreSQL, batched INSERTs elsewhere; values across engines
checkpoints.py   progress on the target, committed with the rows it describes
verification.py  counts and checksums per primary-key range, both sides
refusals.py      moves that must not start
mover.py         move_rows / move_app: the above, in order
progress.py      what a move prints
"""

from manydb.moving.mover import MoveResult, move_app, move_rows
from manydb.moving.progress import Progress
from manydb.moving.refusals import MoveRefused

__all__ = ["MoveRefused", "MoveResult", "Progress", "move_app", "move_rows"]
