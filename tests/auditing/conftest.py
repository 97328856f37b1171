"""Fixtures of the auditors' pages tests: the audit trail's own (tests/audit/conftest.py), shared
rather than copied — an API client with a token. The framework with an open period and A1a's
submission come from tests/conftest.py.
"""

from tests.audit.conftest import api_for

__all__ = ["api_for"]
