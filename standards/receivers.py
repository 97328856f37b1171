"""Listeners: what the standards app does when other apps' data changes."""


def connect() -> None:
    """After a period's scores are written, propose what follows from them (titles, stars,
    appraisals, reports, terms)."""
    from assessment.signals import scores_written

    from .services.proposals import on_scores_written

    scores_written.connect(on_scores_written, dispatch_uid="standards.propose_for_scores")
