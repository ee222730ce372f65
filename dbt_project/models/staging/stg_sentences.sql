-- Parser sentences of the articles still in the input snapshot (macros/current_nlp_rows.sql).
{{ current_nlp_rows('sentences', 'src.article_id, src.sentence_index') }}
