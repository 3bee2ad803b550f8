"""Quality inspection of received lots: ISO 2859-1 acceptance sampling, defects, photos,
and the quarantine decisions."""
