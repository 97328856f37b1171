"""Forms of the assessment app, one module per area.

- `base`: `BootstrapForm`, whose widgets carry Bootstrap's classes.
- `frameworks`: editing a draft indicator, cloning a version, comparing two.
- `periods`: creating an assessment period.
- `entry`: the submission page: the values typed, decisions and evidence uploads.
- `excel`: uploading a filled-in workbook.
- `scores`: a framework's roll-up settings.

Query strings of the pages are read by `assessment.filters`, not here.
"""
