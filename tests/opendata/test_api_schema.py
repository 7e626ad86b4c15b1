"""
Schemathesis, a client that knows only the API's OpenAPI description, against the live API
with the sample archive, run as its command line runs it (every phase but the stateful one):
no answer is a server error; every status, content type, header and body is the one the
description gives; schema-valid requests are accepted and invalid ones refused; a method the
description does not list is a 405 with Allow. Bounded and deterministic (a fixed seed,
derandomized, at most 25 generated cases an operation), so CI runs the same cases each time.
"""

import pytest
import schemathesis
from django.core.management import call_command
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events

CONFIG = {
    "seed": 19,
    "generation": {"max-examples": 25, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
}


@pytest.fixture
def site(live_server, seeded_transactional_db):
    call_command("load_sample_archive", verbosity=0)
    return live_server.url


def findings(schema):
    """What Schemathesis found, each failure once, with the request that shows it."""
    found, ran = {}, 0
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            ran += len(event.recorder.cases)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE:
                        failure = check.failure_info
                        found.setdefault(
                            f"{event.label}: {failure.failure.title}",
                            f"{failure.failure.message}\n{failure.code_sample}",
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            found[f"error: {event}"] = str(getattr(event, "info", event))
    return ran, found


def test_the_api_answers_as_its_openapi_description_says(site):
    schema = schemathesis.openapi.from_url(
        f"{site}/api/v1/openapi.json", config=SchemathesisConfig.from_dict(CONFIG)
    )
    ran, found = findings(schema)
    assert not found, "\n\n".join(f"{title}\n{details}" for title, details in found.items())
    assert ran > 150  # every operation, its coverage cases and the generated ones
