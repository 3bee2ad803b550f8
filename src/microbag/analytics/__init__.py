"""Sales analytics for the staff dashboard: aggregates in SQL, charts rendered offline."""
