"""Configuration read from the environment when the app is created.

Every setting has an environment variable of the same name; README lists them.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says what to set."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}.") from exc


def encryption_keys(value: str | None) -> list[str]:
    """The keys of a ``SECRET_ENCRYPTION_KEYS`` value (comma-separated), in order."""
    return [key.strip() for key in (value or "").split(",") if key.strip()]


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_cache_kib() -> int:
    """SQLite's page cache per connection in KiB (``oversight.extensions``): SQLite's own default, 2000."""
    return _env_int("SQLITE_CACHE_KIB", 2000)


def _webhook_settings() -> dict[str, object]:
    """The webhooks' deliveries (docs/api.md): plain http to other hosts than this machine, the timeout of
    one attempt, the number of attempts and the first wait between them (doubled after each attempt)."""
    return {
        "WEBHOOK_ALLOW_HTTP": _env_bool("WEBHOOK_ALLOW_HTTP"),
        "WEBHOOK_TIMEOUT_SECONDS": _env_int("WEBHOOK_TIMEOUT_SECONDS", 10),
        "WEBHOOK_MAX_ATTEMPTS": _env_int("WEBHOOK_MAX_ATTEMPTS", 8),
        "WEBHOOK_RETRY_SECONDS": _env_int("WEBHOOK_RETRY_SECONDS", 60),
        "WEBHOOK_RETRY_CAP_SECONDS": _env_int("WEBHOOK_RETRY_CAP_SECONDS", 6 * 3600),
    }


def _api_settings(env: Mapping[str, str]) -> dict[str, object]:
    """The API's rate limit per token (Flask-Limiter notation, docs/api.md). Counted in each process's
    memory unless RATELIMIT_STORAGE_URI names a shared store (redis://…, needs the redis package); when
    that store is down, each process counts in memory again instead of failing the request."""
    return {
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "600 per minute"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
    }


class Config:
    """Settings for development and production, read from the environment."""

    ENV_NAME = "production"

    def __init__(self, instance_path: str | os.PathLike[str] | None = None) -> None:
        self.instance_path = Path(instance_path) if instance_path else None
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or None
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(env.get("DATABASE_URL", "").strip()) or None
        self.SQLALCHEMY_ENGINE_OPTIONS, self.SQLITE_CACHE_KIB = {"pool_pre_ping": True}, _sqlite_cache_kib()
        self.MAIL_SERVER = env.get("MAIL_SERVER", "")
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME", "")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD", "")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _env_bool("MAIL_USE_SSL")
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "oversight@localhost")
        self.MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 30)
        self.MAIL_CA_FILE = env.get("MAIL_CA_FILE", "")  # extra CA bundle for the SMTP server's certificate
        self.BASE_URL = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        # How many reverse proxies in front of the app set X-Forwarded-* (oversight.web.security.init_proxy).
        self.TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
        self.COMPANY_NAME = env.get("COMPANY_NAME", "サンプル株式会社")
        self.TIMEZONE = env.get("TIMEZONE", "Asia/Tokyo")
        self.UPLOAD_MAX_MB = _env_int("UPLOAD_MAX_MB", 20)
        self.IMPORT_MAX_ROWS = _env_int("IMPORT_MAX_ROWS", 10_000)
        self.MAX_CONTENT_LENGTH = (self.UPLOAD_MAX_MB + 1) * 1024 * 1024
        # How far the My Number guard reads an upload's text (oversight/evidence/scan.py); past it, refused.
        self.UPLOAD_SCAN_MAX_MB = _env_int("UPLOAD_SCAN_MAX_MB", 64)
        self.UPLOAD_SCAN_MAX_RATIO = _env_int("UPLOAD_SCAN_MAX_RATIO", 100)
        self.UPLOAD_SCAN_MAX_PAGES = _env_int("UPLOAD_SCAN_MAX_PAGES", 500)
        self.UPLOAD_SCAN_MAX_CHARS = _env_int("UPLOAD_SCAN_MAX_CHARS", 5_000_000)
        self.UPLOAD_SCAN_SECONDS = _env_int("UPLOAD_SCAN_SECONDS", 30)
        self._read_evidence_store(env)
        self.SCHEDULER_ENABLED = _env_bool("SCHEDULER_ENABLED")
        self.IDLE_TIMEOUT_MINUTES = _env_int("IDLE_TIMEOUT_MINUTES", 30)
        self.LOCKOUT_THRESHOLD = _env_int("LOCKOUT_THRESHOLD", 5)
        self.LOCKOUT_MINUTES = _env_int("LOCKOUT_MINUTES", 15)
        self.PASSWORD_HASH_METHOD = "scrypt"
        self._read_sign_in(env)
        self.PAGE_SIZE = _env_int("PAGE_SIZE", 50)
        self.PERMANENT_SESSION_LIFETIME = timedelta(minutes=self.IDLE_TIMEOUT_MINUTES)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.BASE_URL.startswith("https://")
        # "Keep me signed in" lasts this many days from the sign-in (Flask-Login's default is 365).
        self.REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_DAYS", 14))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.BABEL_DEFAULT_LOCALE = "ja"
        self.BABEL_DEFAULT_TIMEZONE = self.TIMEZONE
        self.LANGUAGES = ("ja", "en")
        self.BOOTSTRAP_SERVE_LOCAL = True
        self.WTF_CSRF_TIME_LIMIT = None  # the session's idle timeout bounds it
        self.SQLALCHEMY_RECORD_QUERIES = _env_bool("SQLALCHEMY_RECORD_QUERIES")
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        vars(self).update(_api_settings(env), **_webhook_settings())

    def _read_sign_in(self, env: Mapping[str, str]) -> None:
        """The second factor's requirement and company sign-in (OpenID Connect)."""
        # The roles named by the admin setting auth.second_factor_roles must set up a second factor before
        # anything else (docs/sessions.md). Not read from the environment: production always enforces it;
        # only TestConfig turns it off for the tests that are not about it.
        self.SECOND_FACTOR_ENFORCED = True
        # Fernet keys for the TOTP secrets kept encrypted at rest (oversight/core/encryption.py),
        # comma-separated, the newest first; empty: a key derived from SECRET_KEY. Rotation: docs/sessions.md.
        self.SECRET_ENCRYPTION_KEYS = env.get("SECRET_ENCRYPTION_KEYS", "")
        # Company sign-in (OpenID Connect; README): on when the discovery URL and the client id are set.
        self.OIDC_DISCOVERY_URL = env.get("OIDC_DISCOVERY_URL", "").strip()
        self.OIDC_CLIENT_ID = env.get("OIDC_CLIENT_ID", "").strip()
        self.OIDC_CLIENT_SECRET = env.get("OIDC_CLIENT_SECRET", "")
        self.OIDC_SCOPES = env.get("OIDC_SCOPES", "openid email profile").strip()
        self.OIDC_GROUPS_CLAIM = env.get("OIDC_GROUPS_CLAIM", "groups").strip()
        self.OIDC_PROVIDER_NAME = env.get("OIDC_PROVIDER_NAME", "").strip()
        self.OIDC_CLOCK_SKEW_SECONDS = _env_int("OIDC_CLOCK_SKEW_SECONDS", 60)

    def _read_evidence_store(self, env: os._Environ[str]) -> None:
        """Where evidence bytes are kept (oversight/evidence/storage.py): local (UPLOAD_FOLDER), s3 or azure."""
        self.EVIDENCE_STORE = env.get("EVIDENCE_STORE", "local").strip().lower() or "local"
        self.EVIDENCE_S3_BUCKET = env.get("EVIDENCE_S3_BUCKET", "")
        self.EVIDENCE_S3_PREFIX = env.get("EVIDENCE_S3_PREFIX", "")
        self.EVIDENCE_S3_REGION = env.get("EVIDENCE_S3_REGION", "")
        self.EVIDENCE_S3_ENDPOINT_URL = env.get("EVIDENCE_S3_ENDPOINT_URL", "")
        self.EVIDENCE_S3_SSE = env.get("EVIDENCE_S3_SSE", "")  # AES256 or aws:kms
        self.EVIDENCE_S3_KMS_KEY_ID = env.get("EVIDENCE_S3_KMS_KEY_ID", "")
        self.EVIDENCE_AZURE_CONTAINER = env.get("EVIDENCE_AZURE_CONTAINER", "")
        self.EVIDENCE_AZURE_PREFIX = env.get("EVIDENCE_AZURE_PREFIX", "")
        self.EVIDENCE_AZURE_ACCOUNT_URL = env.get("EVIDENCE_AZURE_ACCOUNT_URL", "")
        self.AZURE_STORAGE_CONNECTION_STRING = env.get("AZURE_STORAGE_CONNECTION_STRING", "")
        self.EVIDENCE_AZURE_ENCRYPTION_SCOPE = env.get("EVIDENCE_AZURE_ENCRYPTION_SCOPE", "")

    def finalise(self, instance_path: Path) -> None:
        """Fill what depends on the instance folder and refuse unsafe settings."""
        if not self.SQLALCHEMY_DATABASE_URI:
            self.SQLALCHEMY_DATABASE_URI = f"sqlite:///{instance_path / 'oversight.db'}"
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # No JIT compilation: it pays off for long analytical queries, not for pages. The dashboard's
            # aggregates cross its cost threshold and spent ~2.7 s compiling a statement that runs in 0.13 s.
            self.SQLALCHEMY_ENGINE_OPTIONS = {
                **self.SQLALCHEMY_ENGINE_OPTIONS,
                "connect_args": {"options": "-c jit=off"},
            }
        if not getattr(self, "UPLOAD_FOLDER", None):  # a TestConfig override wins
            self.UPLOAD_FOLDER = str(Path(os.environ.get("UPLOAD_FOLDER") or instance_path / "uploads"))
        if self.SQLITE_CACHE_KIB < 100:
            raise ConfigError(f"SQLITE_CACHE_KIB must be at least 100 (KiB), got {self.SQLITE_CACHE_KIB}.")
        if self.EVIDENCE_STORE not in ("local", "s3", "azure"):
            raise ConfigError(f"EVIDENCE_STORE must be local, s3 or azure, got {self.EVIDENCE_STORE!r}.")
        if not self.SECRET_KEY:
            raise ConfigError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
                "value (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        for position, key in enumerate(encryption_keys(self.SECRET_ENCRYPTION_KEYS), start=1):
            try:
                Fernet(key.encode())
            except ValueError as exc:
                raise ConfigError(
                    f"SECRET_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded "
                    "bytes). Make one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'."
                ) from exc

    def as_dict(self) -> dict[str, object]:
        return {key: value for key, value in vars(self).items() if key.isupper()}


class DevelopmentConfig(Config):
    """Local development: a secret key is generated once and kept in ``instance/``."""

    ENV_NAME = "development"

    def finalise(self, instance_path: Path) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret(instance_path)
        super().finalise(instance_path)


class TestConfig(Config):
    """Tests: a throw-away database, CSRF off unless a test turns it on, no scheduler."""

    ENV_NAME = "testing"

    def __init__(self, database_url: str = "sqlite://", **overrides: object) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        self.WTF_CSRF_ENABLED = False
        self.SCHEDULER_ENABLED = False
        self.MAIL_SERVER = ""
        self.EVIDENCE_STORE = "local"  # a test of another store passes it as an override
        self.BASE_URL = "http://oversight.test"
        self.COMPANY_NAME = "テスト株式会社"
        self.SESSION_COOKIE_SECURE = False
        # Hundreds of test users: a one-round hash instead of scrypt's deliberate slowness.
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
        # The tests of other features sign in managers and administrators with a password only; the
        # second factor's tests (tests/auth/test_second_factor.py) turn the requirement on and test it
        # with the production default roles, and the browser journey enrols for real.
        self.SECOND_FACTOR_ENFORCED = False
        for key, value in overrides.items():
            setattr(self, key, value)


def _instance_secret(instance_path: Path) -> str:
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created private from the start, not made private after being written.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(key)
    return key


def config_from_environment() -> Config:
    """Pick the configuration class from ``OVERSIGHT_ENV`` (default: development)."""
    name = os.environ.get("OVERSIGHT_ENV", "development").strip().lower()
    if name == "production":
        return Config()
    if name == "development":
        return DevelopmentConfig()
    raise ConfigError(f"OVERSIGHT_ENV must be 'development' or 'production', got {name!r}.")
