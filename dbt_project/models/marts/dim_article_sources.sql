select article_id, source_path, file_bytes
from {{ ref('stg_article_sources') }}
