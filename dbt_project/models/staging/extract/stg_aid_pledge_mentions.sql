-- Pledge mentions of current articles, newest extractor version of each article only.
{{ current_nlp_rows('aid_pledge_mentions', 'src.pledge_mention_id') }}
