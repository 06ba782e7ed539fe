"""Configuration: production refuses to start without a secret; development keeps one in instance/."""

import stat

import pytest
from sqlalchemy import text

from oversight.config import Config, ConfigError, DevelopmentConfig, config_from_environment
from oversight.extensions import db


@pytest.fixture
def clean_env(monkeypatch):
    names = ("SECRET_KEY", "DATABASE_URL", "BASE_URL", "OVERSIGHT_ENV", "UPLOAD_FOLDER", "PAGE_SIZE")
    names += ("SQLITE_CACHE_KIB",)
    for name in names:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_secret_key_refuses_to_start(clean_env, tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set") as error:
        Config().finalise(tmp_path)
    assert "environment variable" in str(error.value)


def test_production_with_secret_key_starts(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "s" * 64)
    config = Config()
    config.finalise(tmp_path)
    assert f"sqlite:///{tmp_path / 'oversight.db'}" == config.SQLALCHEMY_DATABASE_URI
    assert str(tmp_path / "uploads") == config.UPLOAD_FOLDER
    assert not (tmp_path / "secret_key").exists()


def test_development_writes_a_private_instance_secret_and_reuses_it(clean_env, tmp_path):
    first = DevelopmentConfig()
    first.finalise(tmp_path)
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == first.SECRET_KEY
    assert len(first.SECRET_KEY) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = DevelopmentConfig()
    second.finalise(tmp_path)
    assert second.SECRET_KEY == first.SECRET_KEY


def test_development_prefers_the_environment_secret(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    config = DevelopmentConfig()
    config.finalise(tmp_path)
    assert config.SECRET_KEY == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_postgres_urls_use_psycopg(clean_env):
    clean_env.setenv("DATABASE_URL", "postgres://u@db/oversight")
    assert Config().SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db/oversight"


def test_postgresql_connections_run_without_jit(clean_env, tmp_path, app):
    clean_env.setenv("SECRET_KEY", "s" * 64)
    clean_env.setenv("DATABASE_URL", "postgresql://u@db/oversight")
    config = Config()
    config.finalise(tmp_path)
    assert config.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}}
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    config = Config()
    config.finalise(tmp_path)
    assert "connect_args" not in config.SQLALCHEMY_ENGINE_OPTIONS
    with app.app_context():  # the test database itself, when it is PostgreSQL
        if db.engine.dialect.name == "postgresql":
            assert db.session.scalar(text("SHOW jit")) == "off"


def test_sqlite_page_cache_is_a_setting_with_sqlites_default(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "s" * 64)
    assert Config().SQLITE_CACHE_KIB == 2000
    clean_env.setenv("SQLITE_CACHE_KIB", "65536")
    config = Config()
    config.finalise(tmp_path)
    assert config.SQLITE_CACHE_KIB == 65536
    clean_env.setenv("SQLITE_CACHE_KIB", "10")
    with pytest.raises(ConfigError, match="SQLITE_CACHE_KIB must be at least 100"):
        Config().finalise(tmp_path)


def test_bad_number_is_a_clear_error(clean_env):
    clean_env.setenv("PAGE_SIZE", "fifty")
    with pytest.raises(ConfigError, match="PAGE_SIZE must be a whole number"):
        Config()


def test_environment_name_chooses_the_class(clean_env):
    assert type(config_from_environment()) is DevelopmentConfig
    clean_env.setenv("OVERSIGHT_ENV", "production")
    assert type(config_from_environment()) is Config
    clean_env.setenv("OVERSIGHT_ENV", "staging")
    with pytest.raises(ConfigError, match="OVERSIGHT_ENV"):
        config_from_environment()


def test_passwords_are_hashed_with_scrypt_outside_tests(clean_env):
    assert Config().PASSWORD_HASH_METHOD == "scrypt"
    assert DevelopmentConfig().PASSWORD_HASH_METHOD == "scrypt"
