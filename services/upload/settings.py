"""Upload service settings (UPLOAD_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import DatabaseSettings, KafkaSettings, StorageSettings


class UploadSettings(BaseSettings):
    """What the HTTP API needs."""

    model_config = SettingsConfigDict(env_prefix="UPLOAD_")

    # The reference product's limit; files beyond it are refused with 413 before storage.
    max_file_bytes: int = 1024 * 1024 * 1024
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
