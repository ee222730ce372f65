-- One row per distinct article. `text` is the stored article text that every start_char /
-- end_char in the warehouse indexes (0-based, end exclusive): substr(text, start_char + 1,
-- end_char - start_char) returns the span.
select
    article_id,
    published_date,
    title,
    source_path,
    n_words,
    n_sources,
    text
from {{ ref('stg_articles') }}
