"""Keycloak JSON representations <-> model; realm defaults; realm import and export."""
