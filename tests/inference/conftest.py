"""Shared model servers and the fault server for every inference test (see tests/support)."""

from support.fixtures import bundled_model, fault_server, frontier_endpoint, local_model_server

__all__ = ["bundled_model", "fault_server", "frontier_endpoint", "local_model_server"]
