"""Configuration from the environment (prefix ``MICROBAG_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MICROBAG_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./microbag.db",
        description="SQLAlchemy URL: sqlite:///path.db or postgresql+psycopg://user@host/db",
    )
    # Connection pool size for PostgreSQL; SQLite uses one connection per thread.
    db_pool_size: int = 10
    db_max_overflow: int = 20
    # PostgreSQL: a pooled connection idle longer than this is checked before use.
    db_ping_after_idle_seconds: float = 10.0
    sqlite_busy_timeout_ms: int = 30_000
    page_size_default: int = 50
    page_size_max: int = 200
    artwork_max_bytes: int = 10 * 1024 * 1024
    # How long a worker process trusts an API token it has just checked (seconds; 0 =
    # check the database on every request). A revocation or deactivation made in the
    # same process applies at once; in other worker processes within this delay.
    token_cache_seconds: float = 2.0
    # A request that meets a transient database failure is run again with its body
    # replayed from memory, for bodies up to this size (forms and JSON are far smaller);
    # a larger body (an upload) is streamed through, not kept, and its request not re-run.
    retry_max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    # Behind a TLS-terminating proxy: cookies are always the ``__Host-`` prefixed, Secure
    # ones (whatever scheme the proxy reports) and every answer carries HSTS. Off by
    # default so that ``make run`` works on http://127.0.0.1:8000. (No signing secret is
    # needed: session ids and CSRF tokens are random values checked against the database.)
    require_https: bool = False
    hsts_max_age_seconds: int = 31_536_000
    default_locale: str = "en_US"
    # Start the dashboard's chart engine in the background when the app starts, so the
    # first dashboard view does not wait seconds for it (off under pytest: see app.py).
    chart_warmup: bool = True
    data_dir: Path = Path("./var")
    # Imported files (catalog CSV/XLSX uploads, sales and signal files): bounds checked
    # before parsing (microbag/filelimits.py). An upload larger than this is refused.
    import_max_upload_bytes: int = 64 * 1024 * 1024
    # What a gzip file or an XLSX workbook (all its parts) may inflate to.
    import_max_uncompressed_bytes: int = 256 * 1024 * 1024
    # An XLSX part over 1 MB compressed more than this many to one is a zip bomb.
    import_max_compression_ratio: int = 100
    import_max_rows: int = 1_000_000
    import_max_cells: int = 5_000_000
    import_max_columns: int = 100
    # A checked catalog import waits this long for "Import" (then it is deleted).
    staged_import_ttl_seconds: int = 6 * 3600
    # ---- sourcing (suppliers, purchase orders, inspection, reorder) ----------------------
    # Landed unit cost = supplier cost converted to ``base_currency`` at ``fx_rates`` plus
    # the FX buffer, then freight and duty on top (suppliers.policies.landed_cost). It is
    # what margins and the range plan use (written to the SKU's unit costs).
    base_currency: str = Field(default="USD", min_length=3, max_length=3)
    # The seller's name as suppliers see it (purchase order PDFs).
    seller_name: str = Field(default="microbag", min_length=1, max_length=200)
    # Units of ``base_currency`` per one unit of each currency. The default: the ECB's
    # reference rates of 2026-10-30 turned into USD; set as JSON, e.g.
    # MICROBAG_FX_RATES='{"USD": 1, "EUR": 1.1172, "CNY": 0.1503}'.
    fx_rates: dict[str, float] = Field(
        default_factory=lambda: {
            "USD": 1.0,
            "EUR": 1.1172,
            "CNY": 0.150311,
            "INR": 0.010531,
            "GBP": 1.339889,
            "JPY": 0.006359,
            "KRW": 0.000749,
            "HKD": 0.127459,
            "CHF": 1.215141,
            "TRY": 0.020021,
            "BRL": 0.184078,
            "MXN": 0.052888,
        }
    )
    # Added to the converted cost against rate moves between order and payment (%).
    landed_fx_buffer_percent: float = Field(default=2.0, ge=0, le=100)
    # Freight and insurance to the warehouse, as % of the supplier's cost.
    landed_freight_percent: float = Field(default=8.0, ge=0, le=500)
    # Import duty, as % of cost plus freight; per origin country where set (JSON, e.g.
    # '{"CN": 17.6, "VN": 0}'), else the default.
    landed_duty_percent: float = Field(default=10.0, ge=0, le=500)
    landed_duty_by_country: dict[str, float] = Field(default_factory=dict)
    # A supplier certificate this close to its expiry is flagged (days).
    certificate_warning_days: int = Field(default=60, ge=0)
    # Acceptance sampling (ISO 2859-1, level II, single, normal): AQL per defect class;
    # 0 = zero tolerance (accept on no defect found in the sample).
    inspection_aql_critical: float = Field(default=0.0, ge=0)
    inspection_aql_major: float = Field(default=2.5, ge=0)
    inspection_aql_minor: float = Field(default=4.0, ge=0)
    inspection_photo_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)

    @field_validator("inspection_aql_critical", "inspection_aql_major", "inspection_aql_minor")
    @classmethod
    def _aql_in_the_standard(cls, value: float) -> float:
        # An AQL the standard's tables lack would make every inspection fail: refuse it
        # at start-up, naming the ones allowed.
        from microbag.inspection.policies import AQLS

        if value != 0 and value not in AQLS:
            allowed = ", ".join(f"{a:g}" for a in AQLS)
            raise ValueError(f"not an AQL of ISO 2859-1's tables (0 or one of {allowed})")
        return value

    # Scorecards: a period's weight halves every this many days (older periods fade).
    scorecard_half_life_days: int = Field(default=180, ge=1)
    # Reorder suggestions: the service level the safety stock is sized for, and the
    # review period (how often orders are placed).
    reorder_service_level: float = Field(default=0.95, gt=0.5, lt=1.0)
    reorder_review_days: int = Field(default=7, ge=1)

    # E-mail (notifications): the SMTP server the worker delivers queued mail to. With
    # neither TLS setting, plain SMTP (a local relay); smtp_starttls upgrades the
    # connection (port 587), smtp_ssl connects over TLS (port 465). Credentials only
    # when the server asks for them; keep the password in the environment, never here.
    smtp_host: str = Field(default="127.0.0.1", min_length=1, max_length=253)
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)
    mail_from: str = Field(default="microbag <orders@microbag.invalid>", min_length=3)
    # A message the server refused or could not take is tried again after
    # mail_backoff_seconds x 2^(attempt-1) (at most 6 hours), up to mail_max_attempts.
    mail_max_attempts: int = Field(default=8, ge=1, le=50)
    mail_backoff_seconds: float = Field(default=60.0, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
