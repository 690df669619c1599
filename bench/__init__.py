"""realmgate's benchmark command, ``python -m bench`` (see bench/README.md)."""
