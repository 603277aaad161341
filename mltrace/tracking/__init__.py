"""Capturing runs in the user's process and delivering them to the store in the background."""
