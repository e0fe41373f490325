"""Integrity across databases: the join guard, declared relations, delete policies and the audit."""
