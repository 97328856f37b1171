"""How the secretary's report rating is counted into an indicator (source `secretary_report`)."""


def register_all() -> None:
    """Nothing yet: filled in with the secretaries' reports."""
