select source_path, reason, detected_at, reason_code
from {{ ref('stg_rejected_files') }}
