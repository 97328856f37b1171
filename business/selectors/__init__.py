"""Reads of the business app."""
