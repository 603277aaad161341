"""The HTTP API and the console: `create_app()` in `app.py`, `serve()` in `serve.py`."""
