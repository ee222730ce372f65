"""NLP stage: one pinned spaCy pipeline, streamed over articles, written as lake tables."""
