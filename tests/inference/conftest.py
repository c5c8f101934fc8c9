"""The shared model servers and the fault server come from tests/support/fixtures.py, registered
once for the whole run by tests/conftest.py (so each server starts once per run)."""
