"""Pure lineage rules: pointer types, staleness, trace graphs and review ranking."""
