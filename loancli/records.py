"""Typed records of the state file."""
