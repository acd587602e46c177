"""Publicity pages: the bulletin board and its questions, open letters, theme months and
their events, contests judged blind. Routed by lectures/urls_publicity.py."""
