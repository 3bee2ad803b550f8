"""Market knowledge: the market brief's tables as versioned, validated data (brief.toml),
with the seller's staff edits on top (service.effective_knowledge)."""
