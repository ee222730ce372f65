select article_id, sentence_index, start_char, end_char, sentence_text
from {{ ref('stg_sentences') }}
