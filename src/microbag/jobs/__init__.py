"""Background jobs: a table-based queue with retries, leases and progress (see worker.py)."""
