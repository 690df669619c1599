"""Process settings: one typed, validated record built from flags and ``REALMGATE_*`` variables.

Every flag has an environment twin (``--db-url`` <-> ``REALMGATE_DB_URL``); flags whose meaning
is the same as Keycloak's also read Keycloak's variable (``KC_HOSTNAME``, ``KC_HTTP_PORT``, ...)
so a compose file written for Keycloak keeps working, and every flag may be a line of the
configuration file (``conf/realmgate.conf``, Keycloak's ``key=value`` format: ``db-url=...``,
``${VAR}`` and ``${VAR:default}`` expanded). Precedence: command line, ``REALMGATE_*``, ``KC_*``,
the file. Validation happens once, at start, and fails with a ``SettingsError`` whose one-line
message names where the bad value came from, so a typo never becomes a traceback.

This module is imported on the start-up path, so it imports nothing heavy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

DEFAULT_DB_URL = "sqlite+aiosqlite:///./data/realmgate.db"
ENV_PREFIX = "REALMGATE_"
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_OUTPUTS = ("default", "json")
DEFAULT_CONFIG_FILE = Path("conf/realmgate.conf")
PROXY_HEADER_MODES = ("xforwarded",)

Mode = Literal["dev", "prod"]


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the flag and its env variable."""


@dataclass(frozen=True, slots=True)
class Flag:
    """One server flag: its name on the command line, its env variable and its help text."""

    name: str  # without the leading dashes, e.g. "http-port"
    help: str
    metavar: str | None = None
    keycloak_env: str | None = None  # Keycloak's variable for the same option, if it means the same
    switch: bool = False  # a flag without a value (``--import-strict``); its variable is true/false
    alias: str | None = None  # a second spelling on the command line (``--log-format``)

    @property
    def option(self) -> str:
        return f"--{self.name}"

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper().replace("-", "_")

    @property
    def attr(self) -> str:
        return self.name.replace("-", "_")


SERVER_FLAGS: tuple[Flag, ...] = (
    Flag("http-port", "TCP port to listen on (default 8080).", "PORT", "KC_HTTP_PORT"),
    Flag("http-host", "Address to listen on (default 0.0.0.0).", "HOST", "KC_HTTP_HOST"),
    Flag(
        "db-url",
        f"Database URL: sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER@HOST/DB "
        f"(start-dev default {DEFAULT_DB_URL}).",
        "URL",
    ),
    Flag(
        "hostname",
        "Public URL (https://id.example.com) or host name of the server; issuer and links use it.",
        "URL",
        "KC_HOSTNAME",
    ),
    Flag("import-realm", "Realm JSON file, or a directory of *.json files, imported at start.", "PATH"),
    Flag(
        "import-strict",
        "Refuse the --import-realm files (all of them) if one sets a security setting realmgate "
        "does not enforce, e.g. bruteForceProtected.",
        switch=True,
    ),
    Flag(
        "proxy-headers", "Trust X-Forwarded-* headers from a reverse proxy: 'xforwarded'.", "MODE", "KC_PROXY_HEADERS"
    ),
    Flag("workers", "Number of worker processes (default 1).", "N"),
    Flag("log-level", "debug, info, warning or error (default info).", "LEVEL"),
    Flag(
        "log-console-output",
        "Log line format: default (text) or json (one JSON object per line).",
        "FORMAT",
        "KC_LOG_CONSOLE_OUTPUT",
        alias="--log-format",
    ),
    Flag(
        "https-certificate-file",
        "PEM certificate (chain) to serve HTTPS with, on --https-port instead of --http-port.",
        "FILE",
        "KC_HTTPS_CERTIFICATE_FILE",
    ),
    Flag(
        "https-certificate-key-file",
        "PEM private key of --https-certificate-file.",
        "FILE",
        "KC_HTTPS_CERTIFICATE_KEY_FILE",
    ),
    Flag("https-port", "TCP port for HTTPS (default 8443).", "PORT", "KC_HTTPS_PORT"),
    Flag(
        "http-management-port",
        "Serve /health and /metrics on this port only, apart from the application (Keycloak's is 9000).",
        "PORT",
        "KC_HTTP_MANAGEMENT_PORT",
    ),
    Flag("db-pool-max-size", "Most PostgreSQL connections per process (default 20).", "N", "KC_DB_POOL_MAX_SIZE"),
    Flag("config-file", f"Configuration file of key=value lines (default {DEFAULT_CONFIG_FILE} if present).", "FILE"),
    Flag("http-max-body-size", "Largest accepted request body in bytes (default 10485760, as Keycloak).", "BYTES"),
    Flag(
        "expiry-sweep-interval",
        "Seconds between sweeps that end expired sessions, sending their clients' back-channel "
        "logouts, and drop expired one-time values (default 60).",
        "SECONDS",
    ),
)
FLAGS_BY_ATTR = {flag.attr: flag for flag in SERVER_FLAGS}
FLAGS_BY_NAME = {flag.name: flag for flag in SERVER_FLAGS}


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated settings of one server process (all fields already checked)."""

    mode: Mode = "dev"
    http_port: int = 8080
    http_host: str = "0.0.0.0"  # noqa: S104 - listening on all interfaces is the documented default
    db_url: str = DEFAULT_DB_URL
    # Full URL (scheme://host[:port][/path], no trailing slash) or a bare host name.
    hostname: str | None = None
    import_realm: str | None = None
    import_strict: bool = False
    proxy_headers: str | None = None
    workers: int = 1
    log_level: str = "info"
    log_console_output: str = "default"
    https_certificate_file: str | None = None
    https_certificate_key_file: str | None = None
    https_port: int = 8443
    http_management_port: int | None = None
    db_pool_max_size: int = 20
    config_file: str | None = None
    http_max_body_size: int = 10 * 1024 * 1024  # Keycloak (Quarkus) default: 10240K
    expiry_sweep_interval: int = 60
    # First-start admin of the master realm (Keycloak's variables, not flags).
    bootstrap_admin_username: str | None = None
    bootstrap_admin_password: str | None = field(default=None, repr=False)
    # False in worker processes: the parent already migrated, bootstrapped and imported.
    run_setup: bool = True

    @property
    def hostname_is_url(self) -> bool:
        return self.hostname is not None and "://" in self.hostname

    @property
    def tls(self) -> bool:
        return self.https_certificate_file is not None

    @property
    def trust_forwarded(self) -> bool:
        return self.proxy_headers == "xforwarded"

    def to_env(self) -> dict[str, str]:
        """The ``REALMGATE_*`` variables that rebuild these settings (for worker processes)."""
        env: dict[str, str] = {}
        for flag in SERVER_FLAGS:
            value = getattr(self, flag.attr)
            if value is not None:
                env[flag.env] = str(value)
        env[ENV_PREFIX + "MODE"] = self.mode
        return env


def reference_table() -> str:
    """The Markdown table of every server flag (``docs/configuration.md`` holds it; a test keeps
    the two equal, so the reference is never out of date)."""
    rows = ["| flag | environment variables | configuration file | meaning |", "| --- | --- | --- | --- |"]
    for flag in SERVER_FLAGS:
        options = f"`{flag.option}`" + (f" (`{flag.alias}`)" if flag.alias else "")
        variables = f"`{flag.env}`" + (f", `{flag.keycloak_env}`" if flag.keycloak_env else "")
        in_file = "(not in the file)" if flag.name == "config-file" else f"`{flag.name}=`"
        rows.append(f"| {options} | {variables} | {in_file} | {flag.help} |")
    return "\n".join(rows) + "\n"


def _bootstrap_admin(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Keycloak 26's variables first, then the older ``KEYCLOAK_ADMIN`` pair."""
    for user_var, password_var in (
        ("KC_BOOTSTRAP_ADMIN_USERNAME", "KC_BOOTSTRAP_ADMIN_PASSWORD"),
        ("KEYCLOAK_ADMIN", "KEYCLOAK_ADMIN_PASSWORD"),
    ):
        username = env.get(user_var)
        if username:
            password = env.get(password_var)
            if not password:
                raise SettingsError(f"{user_var} is set but {password_var} is empty")
            return username, password
    return None, None


# Parsers get ``source``, where the value came from (``--http-port``, ``REALMGATE_HTTP_PORT`` or
# ``KC_HTTP_PORT``), so the error names exactly what the operator has to fix.


def _int(source: str, raw: str, *, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{source} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{source} must be between {low} and {high}, got {value}")
    return value


def _hostname(source: str, raw: str) -> str:
    value = raw.strip().rstrip("/")
    if "://" in value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise SettingsError(f"{source} must be a URL like https://id.example.com, got {raw!r}")
        return value
    if not value or any(ch in value for ch in "/?#@ "):
        raise SettingsError(f"{source} must be a host name or a URL, got {raw!r}")
    return value


def _choice(source: str, raw: str, choices: tuple[str, ...]) -> str:
    value = raw.strip().lower()
    if value not in choices:
        raise SettingsError(f"{source} must be one of {', '.join(choices)}; got {raw!r}")
    return value


def load_settings(
    mode: Mode,
    given: Mapping[str, object | None],
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Merge command-line values (``given``, by attribute name; None = not given) over env vars.

    Raises ``SettingsError`` with a one-line message on the first invalid or missing value.
    """
    env = os.environ if env is None else env
    raw: dict[str, tuple[str, str]] = {}  # attr -> (source, value)
    for flag in SERVER_FLAGS:
        value = given.get(flag.attr)
        if value is not None:
            raw[flag.attr] = (flag.option, str(value))
            continue
        for variable in (flag.env, flag.keycloak_env):
            if variable is not None and env.get(variable):
                raw[flag.attr] = (variable, env[variable])
                break

    file_source = raw.get("config_file")
    path = Path(file_source[1]) if file_source else DEFAULT_CONFIG_FILE
    if file_source or path.is_file():
        for attr, found in read_config_file(path, env).items():
            raw.setdefault(attr, found)

    if mode == "prod":
        for required in ("hostname", "db_url"):
            if required not in raw:
                f = FLAGS_BY_ATTR[required]
                raise SettingsError(f"'start' needs {f.option} (or {f.env}); use 'start-dev' for a local server")

    updates: dict[str, object] = {attr: _PARSERS[attr](source, value) for attr, (source, value) in raw.items()}
    username, password = _bootstrap_admin(env)
    updates["bootstrap_admin_username"] = username
    updates["bootstrap_admin_password"] = password
    settings = replace(Settings(mode=mode), **updates)  # type: ignore[arg-type]
    _check_together(settings)
    return settings


def _check_together(settings: Settings) -> None:
    """Settings that are only valid in pairs or apart."""
    if (settings.https_certificate_file is None) != (settings.https_certificate_key_file is None):
        raise SettingsError("--https-certificate-file and --https-certificate-key-file go together: give both")
    if settings.http_management_port is not None:
        if settings.http_management_port == (settings.https_port if settings.tls else settings.http_port):
            raise SettingsError("--http-management-port must differ from the application's port")
        if settings.workers > 1:
            raise SettingsError("--http-management-port needs --workers 1 (one process serves it)")


_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def _expand(value: str, env: Mapping[str, str], where: str) -> str:
    def one(match: re.Match[str]) -> str:
        variable, default = match.group(1), match.group(2)
        if variable in env:
            return env[variable]
        if default is None:
            raise SettingsError(f"{where}: environment variable {variable} is not set")
        return default

    return _EXPANSION.sub(one, value)


def read_config_file(path: Path, env: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """``key=value`` lines of ``path`` by setting attribute, each with where it came from.

    Blank lines and ``#`` comments are skipped; keys are the flags' names (``http-port``);
    ``${VAR}`` and ``${VAR:default}`` are replaced from the environment, as in keycloak.conf."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"cannot read the configuration file {path}: {exc.strerror or exc}") from None
    found: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = (part.strip() for part in text.partition("="))
        where = f"{path} line {number} ({key})"
        flag = FLAGS_BY_NAME.get(key)
        if not sep or flag is None or flag.name == "config-file":
            # Only the key is shown: the value may be a secret.
            raise SettingsError(f"{path} line {number}: expected option=value with a known option, got {key!r}")
        found[flag.attr] = (where, _expand(value, env, where))
    return found


def _bool(source: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise SettingsError(f"{source} must be true or false, got {raw!r}")
    return value == "true"


def _readable_file(source: str, raw: str) -> str:
    path = Path(raw.strip())
    if not path.is_file() or not os.access(path, os.R_OK):
        raise SettingsError(f"{source} must name a readable file, got {raw!r}")
    return str(path)


def _db_url(source: str, raw: str) -> str:
    """Only the shape is checked here; the store names an unsupported driver precisely."""
    value = raw.strip()
    if "://" not in value:
        raise SettingsError(f"{source} must be a URL like {DEFAULT_DB_URL}, got {raw!r}")
    return value


_PARSERS: dict[str, Callable[[str, str], object]] = {
    "http_port": lambda f, v: _int(f, v, low=0, high=65535),
    "http_host": lambda f, v: v.strip(),
    "db_url": _db_url,
    "hostname": _hostname,
    "import_realm": lambda f, v: v,
    "import_strict": _bool,
    "proxy_headers": lambda f, v: _choice(f, v, PROXY_HEADER_MODES),
    "workers": lambda f, v: _int(f, v, low=1, high=256),
    "log_level": lambda f, v: _choice(f, v, LOG_LEVELS),
    "log_console_output": lambda f, v: _choice(f, v, LOG_OUTPUTS),
    "https_certificate_file": lambda f, v: _readable_file(f, v),
    "https_certificate_key_file": lambda f, v: _readable_file(f, v),
    "https_port": lambda f, v: _int(f, v, low=0, high=65535),
    "http_management_port": lambda f, v: _int(f, v, low=0, high=65535),
    "db_pool_max_size": lambda f, v: _int(f, v, low=1, high=1000),
    "config_file": lambda f, v: v,
    "http_max_body_size": lambda f, v: _int(f, v, low=1024, high=1 << 30),
    "expiry_sweep_interval": lambda f, v: _int(f, v, low=1, high=86400),
}


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings of a worker process: everything comes from ``REALMGATE_*`` set by the parent."""
    env = os.environ if env is None else env
    mode: Mode = "prod" if env.get(ENV_PREFIX + "MODE") == "prod" else "dev"
    return replace(load_settings(mode, {}, env), run_setup=False)
