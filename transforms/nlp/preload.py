"""Imported once by the NLP pool's fork server (transforms/nlp/run.py): loads the pipeline there.

Every worker is then forked from a process that already holds spaCy and the loaded model, so a
new worker (each run, and each time the pool is replaced) starts in milliseconds instead of
importing spaCy and loading the model again (about 2-3 s of CPU per worker).
"""

from transforms.nlp.pipeline import load_nlp

load_nlp()
