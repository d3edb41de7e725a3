"""Backups: ``flask backup create FILE`` and ``flask backup restore FILE`` (database + export files + manifest)."""
