"""What every app of the portal builds on and that knows none of them: the job rows and their
reaper, the Celery retry policy, bulk writers, workbook guards, cells, caching, API plumbing and
typed settings helpers. It imports no app of the portal (a contract in .importlinter checks it)."""
