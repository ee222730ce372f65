-- Entity mentions of the articles still in the input snapshot, newest extractor version only:
-- older parts keep spans the new rules changed (macros/current_nlp_rows.sql).
{{ current_nlp_rows('entity_mentions', 'src.mention_id') }}
