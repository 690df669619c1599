"""Admin REST services; ``AdminError`` becomes ``{"errorMessage": ...}``."""
