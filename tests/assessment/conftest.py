"""The assessment tests use the small framework, published, with an open period: the fixtures
`framework_doc`, `published_framework`, `period` and `submission` of tests/conftest.py."""
