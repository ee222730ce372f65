select mention_id, article_id, sentence_index, start_char, end_char, mention_text, place_id,
    confidence, geocoder_version
from {{ source('lake', 'place_mentions') }}
