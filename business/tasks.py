"""Celery tasks of the business app: thin wrappers that call services; they retry by the
portal's one policy (`core.retry`)."""

from core.retry import task


# Uploaded files of business figures (organizations.ImportBatch of the kind business_figures):
# half an hour at most, well below the broker's 1-hour visibility timeout.
@task("business.check_import", soft_time_limit=1500, time_limit=1800)
def check_figures_import(batch_id: int) -> None:
    """The dry run of an uploaded file of business figures, for its preview."""
    from .services import imports

    imports.check_batch(batch_id)


@task("business.import_batch", soft_time_limit=1500, time_limit=1800)
def import_figures(batch_id: int) -> None:
    """Apply a confirmed file of business figures (all lines or none)."""
    from .services import imports

    imports.import_batch(batch_id)
