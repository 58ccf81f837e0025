"""Subscription service settings (SUBSCRIPTION_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings


class SubscriptionSettings(BaseSettings):
    """What the subscription service needs."""

    model_config = SettingsConfigDict(env_prefix="SUBSCRIPTION_")

    # Customers subscribed per consumed batch (one transaction each).
    batch_size: int = Field(default=500, ge=1, le=5000)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
