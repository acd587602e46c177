"""The app's admin, a module per sub-feature.

Django's autodiscovery imports only this module; each sub-feature's admin registers its
models when imported, so they are imported here by name.
"""

from importlib import import_module

for feature in ("events", "activities", "feedback", "publicity"):
    import_module(f"lectures.{feature}.admin")
