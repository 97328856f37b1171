"""Reads of the dashboards app, one module per area, used by module
(``from dashboards.selectors import board``):

- `board`: the committee dashboard of one organization in one period;
- `subtree`: timeliness, grades and weakest indicators over a subtree, and the drill-down lists;
- `submitted`: provisional scores of submitted submissions, for the dashboard's switch;
- `charts`: the dashboard's charts as plain data (no query);
- `rectification`: the subtree's rectification items, cached for the dashboard;
- `insight`: effectiveness, the explain panels and what-if;
- `results`: the organization's term, secretary's rating, titles and stars, the group's record.
"""
