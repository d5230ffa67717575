"""dataflywheel: the DataOps control plane for LLM data teams."""

__version__ = "0.1.0"
