"""Validator service settings (VALIDATOR_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KafkaSettings, StorageSettings


class ValidatorSettings(BaseSettings):
    """What the validator needs."""

    model_config = SettingsConfigDict(env_prefix="VALIDATOR_")

    # Rows per internal message: large enough to amortise per-message costs, small enough to
    # keep a message well under the broker's 1 MB default.
    batch_size: int = Field(default=500, ge=1, le=2000)
    # How many published batches may await their broker acknowledgement at once.
    max_in_flight: int = Field(default=32, ge=1)
    # A file is validated in ranges of about this many bytes, in parallel by the replicas
    # (16 MiB: about 95,000 rows of a typical file; a 1 GB file makes 64 ranges).
    range_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
