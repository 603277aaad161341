"""Getting captured runs into the store: background writer, disk spool, HTTP sink."""
