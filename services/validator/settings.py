"""Validator service settings (VALIDATOR_*), plus the shared connections."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import KafkaSettings, StorageSettings


class ValidatorSettings(BaseSettings):
    """What the validator needs."""

    model_config = SettingsConfigDict(env_prefix="VALIDATOR_")

    # Rows per internal message, large enough to amortise per-message costs (1M-row bench:
    # 500 rows 114 s, 1,000 rows 106 s; the aggregator's and broker's CPU fall with the
    # message count). Long cells end a batch sooner (row_validation.BATCH_MAX_CHARS), so a
    # message stays under the broker's 1 MB default whatever the file holds.
    batch_size: int = Field(default=1000, ge=1, le=2000)
    # How many published batches may await their broker acknowledgement at once.
    max_in_flight: int = Field(default=32, ge=1)
    # A file is validated in ranges of about this many bytes, in parallel by the replicas
    # (16 MiB: about 95,000 rows of a typical file; a 1 GB file makes 64 ranges).
    range_bytes: int = Field(default=16 * 1024 * 1024, ge=1)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
