"""Subscription service settings (SUBSCRIPTION_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings


class SubscriptionSettings(BaseSettings):
    """What the subscription service needs."""

    model_config = SettingsConfigDict(env_prefix="SUBSCRIPTION_")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
