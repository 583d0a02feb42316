import pytest

import dragoman_testing as dt
from chromium import keep_state_on_failure, launch


@pytest.fixture
def browser(artifacts, request):
    """A factory: browser(**options) starts headless Chromium (see chromium.launch: a phone by default, or a desktop
    window, a fake microphone, dragoman.test mapped to loopback). All are quit at the end; on failure each one's
    screenshot and console log are kept in the test's artifacts."""
    drivers = []

    def start(**options):
        d = launch(**options)
        drivers.append(d)
        return d

    yield start
    keep_state_on_failure(drivers, artifacts, dt.node_failed(request.node))
