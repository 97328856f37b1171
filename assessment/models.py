"""Assessment models: frameworks, periods, submissions, scores (filled in by later work)."""
