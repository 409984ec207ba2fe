"""The JSON documented in seed 000 (shared/seeds/000_*.txt, "API Documentation"),
verbatim: the contract every jobs API response is checked against."""

ACTIVE_ITEM = {
    "id": 1,
    "title": "ارسال پیامک به 150 شماره",
    "description": "متن پیام...",
    "jobType": 0,
    "jobTypeText": "ارسال انبوه پیامک",
    "status": 1,
    "statusText": "در حال اجرا",
    "statusBadgeClass": "bg-primary",
    "progress": 65,
    "totalItems": 150,
    "processedItems": 97,
    "successCount": 95,
    "failedCount": 2,
    "startDate": "2024/11/17 14:30",
}

HISTORY_ITEM = {
    "id": 2,
    "title": "ارسال پیامک به 50 شماره",
    "statusText": "تکمیل شده",
    "statusBadgeClass": "bg-success",
    "successCount": 48,
    "failedCount": 2,
    "startDate": "2024/11/17 12:00",
    "completedDate": "2024/11/17 12:05",
    "duration": "05:23",
}

DETAIL_ITEM = {
    "id": 1,
    "title": "ارسال پیامک به 150 شماره",
    "description": "متن پیام...",
    "jobTypeText": "ارسال انبوه پیامک",
    "statusText": "تکمیل شده",
    "progress": 100,
    "totalItems": 150,
    "processedItems": 150,
    "successCount": 148,
    "failedCount": 2,
    "startDate": "2024/11/17 14:30",
    "completedDate": "2024/11/17 14:45",
    "duration": "15:30",
    "errorMessage": None,
}

# Every endpoint returns the same item: the union of the seed's keys, plus the
# one addition the header widget needs ("report ready - download") and the Wave 2
# additions of issue 12 (campaign page link, scheduled start, failures, outcome colour).
ADDED_KEYS = {"downloadUrl", "detailUrl", "scheduledFor", "failureSummary", "outcomeBadgeClass"}
ITEM_KEYS = set(ACTIVE_ITEM) | set(HISTORY_ITEM) | set(DETAIL_ITEM) | ADDED_KEYS
# Keys that are null until the job gets there (seed: errorMessage null; a running
# job has no completedDate; duration before start).
NULLABLE = {"completedDate", "duration", "errorMessage", "downloadUrl", "detailUrl", "scheduledFor", "failureSummary"}
DATE_KEYS = {"startDate", "completedDate"}
DATE_PATTERN = r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}$"
DURATION_PATTERN = r"^(\d+:)?\d{2}:\d{2}$"


def expected_type(key):
    for example in (ACTIVE_ITEM, HISTORY_ITEM, DETAIL_ITEM):
        if example.get(key) is not None:
            return type(example[key])
    return str  # errorMessage / downloadUrl: a string when set
