"""Fakes of the outside world for the tests (services on 127.0.0.1, engines in memory)."""
