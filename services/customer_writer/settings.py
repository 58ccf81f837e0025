"""Customer writer settings (WRITER_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings


class WriterSettings(BaseSettings):
    """What the customer writer needs."""

    model_config = SettingsConfigDict(env_prefix="WRITER_")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
