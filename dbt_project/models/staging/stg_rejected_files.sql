select source_path, reason_code, reason, detected_at
from {{ source('lake', 'rejected_files') }}
