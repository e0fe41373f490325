"""How the core words an error for a log line, a health report or a stored message."""


def describe(exc: BaseException) -> str:
    """The exception's class and the first line of its message: one line, never a traceback."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
