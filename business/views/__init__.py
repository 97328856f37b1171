"""Pages of the business app: the year's table, an organization's figures, entry, measures,
the import."""
