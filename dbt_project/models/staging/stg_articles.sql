with source as (
    select * from {{ source('lake', 'articles') }}
)

select
    article_id,
    published_date,
    title,
    text,
    source_path,
    n_words,
    n_sources,
    content_sha256,
    url,
    publisher,
    author,
    title_source,
    provenance_file
from source
