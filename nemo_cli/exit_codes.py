"""The exit codes, for the imports that name them here: they live in
``nemo_frontend.outcomes`` (every front-end maps errors to them the same way)."""

from nemo_frontend.outcomes import BY_ERROR_CLASS, ExitCode, describe

__all__ = ["BY_ERROR_CLASS", "ExitCode", "describe"]
