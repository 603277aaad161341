"""Where the client's questions are answered: the database directly, or a mltrace server."""
