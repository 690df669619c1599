"""HTTP layer (Starlette): parses requests once, calls services, renders results."""
