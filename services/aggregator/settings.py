"""Aggregator settings (AGGREGATOR_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings, StorageSettings


class AggregatorSettings(BaseSettings):
    """What the aggregator needs."""

    model_config = SettingsConfigDict(env_prefix="AGGREGATOR_")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
