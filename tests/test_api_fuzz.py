"""Generated requests against the OpenAPI schema (schemathesis): no 5xx, nothing outside it.

Every operation of /api/schema/ is called with valid and with invalid input generated from its
schema, as erin (administrator of the group: every endpoint reaches real code) on a tree with a
published framework, an open period and its submissions. Each answer must not be a 5xx, must
have a documented status and content type, and its body must match the documented schema.

Bounded for CI (2 cores, SQLite and PostgreSQL): a fixed seed (derandomize), FUZZ_EXAMPLES examples
per operation and mode, no shrinking; each request runs in a savepoint rolled back afterwards, so
examples do not depend on each other and the run is repeatable.
"""

import os
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partybuild.wsgi import application
from tests.factories.credentials import api_token

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_in_test_transaction():
    """The WSGI app keeps the test's connection, as Django's test client does: a finished request
    would otherwise close it (PostgreSQL) and with it the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield application
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.usefixtures("submission")
def test_generated_requests_get_no_server_error_and_answers_match_the_schema(
    erin, settings, wsgi_in_test_transaction
):
    settings.ALLOWED_HOSTS = ["*"]
    headers = {"Authorization": f"Token {api_token(erin)}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_in_test_transaction)
    failures: list[str] = []
    calls = 0
    started = time.monotonic()

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings_for_run
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                nonlocal calls
                calls += 1
                savepoint = transaction.savepoint()
                try:
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)
                finally:
                    transaction.savepoint_rollback(savepoint)

            try:
                run()
            except Unsatisfiable:
                pass  # no parameter or body to make invalid: nothing negative to send
            except (Exception, BaseExceptionGroup) as error:  # every failing operation is told
                failures.append(f"{operation.label} [{mode}]: {error}")

    elapsed = time.monotonic() - started
    print(f"{calls} generated requests in {elapsed:.0f} s")  # noqa: T201 - the run's size, with -s
    assert not failures, "\n\n".join(failures)


settings_for_run = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
