"""Persistence: repository protocols (``interface``) and their SQLAlchemy implementation (``sql``)."""
