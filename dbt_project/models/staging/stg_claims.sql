-- Claims of current articles, from the newest extractor version that parsed each article.
{{ current_nlp_rows('claims', 'src.claim_id') }}
