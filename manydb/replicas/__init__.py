"""Reads served by replicas: which one (choice), whether it may (probe, breaker), and for whom (tokens)."""
