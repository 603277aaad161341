"""The artifact store: bytes kept by their SHA-256 in a local folder or any fsspec URL, and what mltrace puts in it."""
