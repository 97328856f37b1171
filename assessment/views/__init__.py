"""Pages of the assessment app, one module per area; `assessment/urls.py` imports them by area.

- `frameworks`: the framework browser, version comparison and draft editing (indicators,
  publishing, cloning).
- `lists`: the work lists: a secretary's to-do list, the review queue, completeness, notices.
- `periods`: the periods administration: the list, creating, opening and closing.
- `entry`: the submission page: entering values, evidence, the review steps.
- `excel`: the Excel round trip: templates to download, the upload.
- `scores`: the score runs page and the roll-up settings.
- `common`: what the pages share: the group administrators' gate and list pagination.
- `columns`: the columns of the list pages: what each sorts by and what its export holds.

Every view is a function: it parses its input (query strings through `assessment.filters`, posts
through `assessment.forms`), calls a selector or a service, and renders.
"""
