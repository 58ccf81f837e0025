"""Connection settings every service shares; each service composes them into its own class."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """How to reach the Kafka-protocol broker (KAFKA_*)."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    # Environments sharing one cluster (or tests sharing one broker) keep their topics apart.
    topic_prefix: str = ""
    # Short timeouts make group joins fast locally (tansu waits session_timeout/2 on a join);
    # production keeps the Kafka defaults through the environment.
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 3_000
    partitions: int = Field(default=4, ge=1)
    # How long the broker may hold a fetch that has nothing to return yet. Kafka answers as
    # soon as data arrives; tansu notices it later (about a quarter of the wait) and burns CPU
    # on every fetch it holds, so the local stack tunes it (stack/services.py).
    fetch_max_wait_ms: int = Field(default=500, ge=1)


class StorageSettings(BaseSettings):
    """How to reach the S3-compatible object store (S3_*)."""

    model_config = SettingsConfigDict(env_prefix="S3_")

    endpoint: str = "127.0.0.1:8333"
    access_key: str
    secret_key: SecretStr
    secure: bool = False
    region: str = "us-east-1"
    bucket: str = "customer-imports"


class DatabaseSettings(BaseSettings):
    """How to reach PostgreSQL (DATABASE_*)."""

    model_config = SettingsConfigDict(env_prefix="DATABASE_")

    url: SecretStr
    pool_min_size: int = 1
    pool_max_size: int = 5
