"""Benchmarks: ``vaani bench <name>`` runs ``vaani/bench/<name>.py`` (``add_arguments`` + ``run``)."""
