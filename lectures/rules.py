"""The app's permissions (loaded by django-rules' autodiscovery), a module per sub-feature.

Autodiscovery imports only this module; each sub-feature's rules register when imported,
so they are imported here by name.
"""

from importlib import import_module

for feature in ("events", "feedback", "coverage", "publicity"):
    import_module(f"lectures.{feature}.rules")
