"""The whole API, fuzzed from its own /openapi.json with schemathesis on both databases: no request
(valid or not, NUL characters and huge numbers included) gets a server error, and every answer
conforms to the description: documented status, content type, headers and body schema.

Each operation gets a few valid and a few invalid requests (derandomised, so a run is repeatable);
every operation's problems are gathered before the test fails, so one run lists them all. A few
examples rarely hold a NUL character: tests/web/api/test_nul_and_ids.py puts one in every field."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

import api_world

EXAMPLES = 15  # per operation and mode: enough to find the classes of bad input, in seconds
# What every answer must be. Left out: whether a schema-valid request succeeds (a cursor must be
# one the API signed, a rule needs a condition, a reply must still wait for approval: rules the
# schema cannot say) and bad-token probing (after 10 bad tokens from one address the answer is a
# documented 429 by design; tests/web/api/test_authorisation_matrix.py covers tokens).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    missing_required_header,
    unsupported_method,
]


def _problems(operation, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (an operation without parameters)
        return None
    except (AssertionError, BaseExceptionGroup) as failure:  # the checks that failed
        return f"{operation.label} ({mode.value}): {failure}"
    return None


def test_every_operation_answers_as_described(app, world: api_world.World):
    load_all_checks()
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {world.acme.tokens['owner']}"}
    operations = [result.ok() for result in schema.get_all_operations()]

    problems = [
        problem
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        if (problem := _problems(operation, mode, headers)) is not None
    ]

    assert len(operations) > 20
    assert not problems, "\n\n".join(problems)
