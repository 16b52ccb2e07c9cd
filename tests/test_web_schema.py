"""schemathesis over the served /openapi.json: no 5xx and no response that breaks the schema.

Bounded: a few examples per operation (the whole run takes well under a minute on 2 cores).
"""
from __future__ import annotations

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from web_server import serving  # noqa: E402

pytestmark = pytest.mark.slow

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("schema")) as srv:
        yield srv


def test_openapi_schema_holds(server):
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    failures: list[str] = []
    cases = 0
    for operation in schema.get_all_operations():
        op = operation.ok()
        strategy = op.as_strategy()

        @settings(max_examples=12, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case) -> None:  # noqa: ANN001
            nonlocal cases
            cases += 1
            response = case.call(base_url=server.url, timeout=20)
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:  # noqa: BLE001 - collect them all, then fail once
                failures.append(f"{op.method.upper()} {op.path} {case.query or ''}: {str(exc)[:300]}")

        run()
    print(f"schemathesis: {cases} cases")
    assert cases >= 50
    assert not failures, "\n".join(failures[:20])
