"""Statistics for annotation batches: inter-annotator agreement and stratified spot-check samples.

Pure numpy cores; no files, plans or checks.
"""
