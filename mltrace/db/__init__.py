"""Storage: engine from URI, tables, migrations, ingest and queries."""
