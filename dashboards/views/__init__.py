"""Pages of the dashboards app, one module per area: `board` (the committee dashboard) and
`insight` (effectiveness, the explain panels and what-if)."""
