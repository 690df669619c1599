"""The admin API's one error type, carrying Keycloak's exact status and JSON body.

Contract with ``realmgate.web.errors`` (the single translator): render ``err.body`` as compact
JSON with status ``err.status`` and the extra ``err.headers``; nothing else. The body is built
here because Keycloak is not uniform and clients match on it:

- 404s say ``{"error": "User not found"}`` (key ``error``),
- validation errors and conflicts say ``{"errorMessage": "User exists with same username"}``,
- a missing/invalid token is 401 ``{"error": "HTTP 401 Unauthorized"}``,
- a token without the needed role is 403 ``{"error": "unknown_error"}``,
- a JSON value Jackson cannot bind (a string where an object or boolean belongs) is 400
  ``{"error": "unknown_error", "error_description": "Cannot parse the JSON"}``,
- unknown JSON properties are 400 ``{"error": "Unrecognized field \\"x\\" (class ...), not marked
  as ignorable"}``, as Jackson words it inside Keycloak.

Messages never contain secrets, tokens or tracebacks.
"""

from __future__ import annotations

from collections.abc import Mapping


class AdminError(Exception):
    """An admin call failed in a way the client is told about."""

    def __init__(self, status: int, body: Mapping[str, str], *, headers: Mapping[str, str] | None = None):
        super().__init__(next(iter(body.values()), ""))
        self.status = status
        self.body: dict[str, str] = dict(body)
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def message(self) -> str:
        return str(self.args[0])

    @classmethod
    def web(cls, status: int, message: str) -> AdminError:
        """Keycloak's JAX-RS exceptions (``NotFoundException("...")``): ``{"error": message}``."""
        return cls(status, {"error": message})

    @classmethod
    def not_found(cls, message: str) -> AdminError:
        return cls.web(404, message)

    @classmethod
    def bad_request(cls, message: str) -> AdminError:
        return cls(400, {"errorMessage": message})

    @classmethod
    def conflict(cls, message: str) -> AdminError:
        return cls(409, {"errorMessage": message})

    @classmethod
    def unauthorized(cls) -> AdminError:
        return cls(401, {"error": "HTTP 401 Unauthorized"}, headers={"WWW-Authenticate": "Bearer"})

    @classmethod
    def forbidden(cls) -> AdminError:
        return cls(403, {"error": "unknown_error"})

    @classmethod
    def unrecognized_field(cls, name: str, representation: str) -> AdminError:
        return cls(
            400,
            {
                "error": f'Unrecognized field "{name}" (class org.keycloak.representations.idm.'
                f"{representation}), not marked as ignorable"
            },
        )

    @classmethod
    def unparsable_json(cls) -> AdminError:
        return cls(400, {"error": "unknown_error", "error_description": "Cannot parse the JSON"})

    @classmethod
    def server_error(cls, message: str) -> AdminError:
        return cls(500, {"errorMessage": message})


def realm_not_found() -> AdminError:
    return AdminError.not_found("Realm not found.")


def user_not_found() -> AdminError:
    return AdminError.not_found("User not found")


def client_not_found() -> AdminError:
    return AdminError.not_found("Could not find client")


def role_not_found() -> AdminError:
    return AdminError.not_found("Could not find role")


def group_not_found() -> AdminError:
    return AdminError.not_found("Could not find group by id")
