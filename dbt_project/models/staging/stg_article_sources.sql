select article_id, source_path, file_bytes
from {{ source('lake', 'article_sources') }}
