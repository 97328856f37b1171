"""Signals other apps listen to, so the assessment app does not import them.

`scores_written` is sent after a period's subject scores were replaced and committed: with
`submission_ids` for the subjects of one approval, or `submission_ids=None` after a full
recompute of the period. Receivers (rectification items, for one) read the stored rows.
`period_closed` is sent after a period's closing has committed.
"""

from django.dispatch import Signal

scores_written = Signal()  # kwargs: period_id: int, submission_ids: list[int] | None

# Sent after a period's closing has committed: what counts only years that are over (terms)
# is brought up to date.
period_closed = Signal()  # kwargs: period_id: int
