"""Plain, immutable domain objects. No I/O here: the store loads and saves them.

Field names are snake_case versions of Keycloak's representation fields so the mapping in
``realmgate.keycloak`` stays mechanical. Updates go through ``dataclasses.replace``.
"""
