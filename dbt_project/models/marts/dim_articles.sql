-- One row per distinct article. `text` is the stored article text that every start_char /
-- end_char in the warehouse indexes (0-based, end exclusive): substr(text, start_char + 1,
-- end_char - start_char) returns the span.
-- Provenance (url, publisher, author, title): the file's header lines, else its folder's
-- SOURCES.csv side file (transforms/provenance.py); null when neither says.
select
    article_id,
    published_date,
    title,
    source_path,
    n_words,
    n_sources,
    text,
    url,
    publisher,
    author,
    title_source,
    provenance_file
from {{ ref('stg_articles') }}
