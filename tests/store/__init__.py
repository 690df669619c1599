"""Conformance suite of ``realmgate.store.interface``, run on SQLite and on PostgreSQL."""
