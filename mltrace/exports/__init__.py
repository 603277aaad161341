"""Runs as a table: a pandas DataFrame (`frame`) and the files and HTTP answers written from it (`writers`)."""
