"""
Settings shared by every test suite in the repository (loaded by pytest as the rootdir
conftest for packages/*/tests and tests-integration).
"""

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # environments without property tests (tools' own tests)
    settings = None

# CI machines are shared and noisy: a per-example deadline would make property tests
# flaky without telling us anything. Speed is measured in tools/bench/ instead.
if settings is not None:
    settings.register_profile(
        "netframe",
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile("netframe")
