"""Customer writer settings (WRITER_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings


class WriterSettings(BaseSettings):
    """What the customer writer needs."""

    model_config = SettingsConfigDict(env_prefix="WRITER_")

    # Batches of valid rows taken per poll (each up to the validator's batch size in rows);
    # batches of different partitions in one poll are written concurrently.
    batches_per_poll: int = Field(default=16, ge=1, le=64)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
