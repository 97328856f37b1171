"""Listeners: what the standards app does when other apps' data changes."""


def connect() -> None:
    """After a period's scores are written, or it closes, propose what follows from them
    (titles, stars, appraisals, reports, terms)."""
    from assessment.signals import period_closed, scores_written

    from .services.proposals import on_period_closed, on_scores_written

    scores_written.connect(on_scores_written, dispatch_uid="standards.propose_for_scores")
    # A closed year counts in its terms from then on.
    period_closed.connect(on_period_closed, dispatch_uid="standards.propose_for_closed")
