"""Pages of the organizations app, one module per area: `tree` (the tree browser, its search and
one organization) and `imports` (upload, preview and confirm an import file)."""
