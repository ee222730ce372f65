"""The learned country chooser of every extractor's parties
(transforms/extract/country_chooser.py)."""
