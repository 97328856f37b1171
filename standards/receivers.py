"""Listeners: what the standards app does when other apps' data changes."""


def connect() -> None:
    """Nothing yet: filled in as each area lands."""
