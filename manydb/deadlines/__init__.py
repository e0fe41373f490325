"""Time budgets that the database itself enforces (see statements.py)."""
