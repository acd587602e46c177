"""Publicity pages, a module per resource: the bulletin board and its questions, open
letters, theme months and their events, contests judged blind. Routed by
lectures/publicity/urls.py."""
