"""microbag: B2B platform for the micro bag trade."""

__version__ = "0.1.0"
