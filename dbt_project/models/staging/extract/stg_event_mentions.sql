-- Event mentions of current articles, newest extractor version of each article only.
{{ current_nlp_rows('event_mentions', 'src.event_mention_id') }}
