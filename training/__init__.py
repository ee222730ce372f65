"""Trained components of the pipeline: one folder per component (config, conversion, packaging).

`make train` runs `python -m training` (every component, each skipped when its fingerprint of
config, data and code is unchanged). The artefacts the pipeline loads live in transforms/models/.
"""
