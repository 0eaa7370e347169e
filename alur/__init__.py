"""Alur composition root: configuration, bootstrap and the command line."""
