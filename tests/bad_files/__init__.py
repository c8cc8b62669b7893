"""The importers' bad-file corpus (``make_bad_files.py``) and helpers to compare database states."""
