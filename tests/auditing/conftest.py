"""Fixtures of the auditors' pages tests: the audit trail's own (tests/audit/conftest.py), shared
rather than copied — a framework with an open period, A1a's submission, an API client with a token.
"""

from tests.audit.conftest import api_for, period, published_framework, submission

__all__ = ["api_for", "period", "published_framework", "submission"]
