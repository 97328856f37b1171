"""Writes of the business app: figures entered, imported, measures defined."""
