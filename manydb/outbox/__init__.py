"""Writes meant for another database, stored with the write that caused them and delivered after it."""
