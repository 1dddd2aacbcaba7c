"""Examples of the REST answers, for the OpenAPI document (and so for ``/docs`` and ``/redoc``).

Taken from a registry of the test scenario and shortened; each is checked against its answer's
schema by the tests. They are built from the same pieces, so a unit looks the same everywhere.
"""

from __future__ import annotations

from typing import Any

PARK_ID = "f84d35b3-a3d1-5145-bee0-78f54363b7cb"
LOG_KEY_ID = "0b1ea49db330e96ee9d6ffe3267339d2"
ROOT_HASH = "d0f81b3488d2f874d7609499d7dfc77ca9ad2302db48926d40661333611be6ff"

DATA_VERSION: dict[str, Any] = {
    "log_size": 29,
    "root_hash": ROOT_HASH,
    "checkpoint_key_id": LOG_KEY_ID,
    "event_count": 29,
    "last_position": 28,
    "projected_position": 28,
    "behind": False,
}
EVIDENCE: dict[str, Any] = {"event_id": f"{PARK_ID}/2", "position": 21}
UNIT: dict[str, Any] = {
    "id": PARK_ID,
    "kind": "park",
    "name": "苏州工业园区绿色发展区",
    "credit_code": None,
    "division": "320500",
    "province": "320000",
    "registered_on": "2017-01-01",
    "named_since": "2022-06-01",
    "ceased": False,
    "former_names": [
        {"name": "苏州工业园区", "valid_from": "2017-01-01", "valid_until": "2022-05-31"}
    ],
    "predecessors": [],
    "successors": [],
}
DESIGNATION: dict[str, Any] = {
    "unit_id": PARK_ID,
    "unit_name": "苏州工业园区绿色发展区",
    "programme": "green_park",
    "level": "provincial",
    "jurisdiction": "320000",
    "status": "listed",
    "since": "2020-01-01",
    "changed_on": "2020-01-01",
    "batch": "第一批",
    "document_number": "苏工信节能〔2020〕1号",
    "grade": None,
    "rectify_by": None,
    "evidence": EVIDENCE,
    "evaluator": None,
    "in_force": True,
}
BAN: dict[str, Any] = {
    "unit_id": "75472e4d-959e-5338-985d-76f22de6f5e3",
    "unit_name": "苏州虎丘新材料有限公司",
    "programme": "green_factory",
    "level": "provincial",
    "jurisdiction": "320000",
    "ground": "fraud (003 art. 21(3))",
    "rule": "003 art. 17(3): 3 years",
    "first_day": "2025-05-10",
    "last_day": "2028-05-10",
    "document_number": "苏工信节能〔2025〕7号",
    "evidence": {"event_id": "75472e4d-959e-5338-985d-76f22de6f5e3/5", "position": 27},
}
IN_FORCE: dict[str, Any] = {
    "programme": "green_park",
    "level": "provincial",
    "jurisdiction": "320000",
    "status": "listed",
    "since": "2020-01-01",
    "document_number": "苏工信节能〔2020〕1号",
    "grade": None,
}
NOTE = (
    "greenreg.log\n29\n0PgbNIjS+HTXYJSZ19/HfKmtIwLbSJJtQGYTM2Eb5v8=\n\n— greenreg.log "
    "lb/AIJpDRZtEesms6RzfIeP9im2B2gmhpK/yOzNHmBMFZEcIanbztXA777+AQ1PtdZ6kksUi0GmFcat4HRXJz8GQ5AM=\n"
)
CHECKPOINT: dict[str, Any] = {
    "origin": "greenreg.log",
    "tree_size": 29,
    "root_hash": ROOT_HASH,
    "root_base64": "0PgbNIjS+HTXYJSZ19/HfKmtIwLbSJJtQGYTM2Eb5v8=",
    "key_id": LOG_KEY_ID,
    "note": NOTE,
}
KEY: dict[str, Any] = {
    "key_id": "7b6ded7573520fef89f7a4966c603d96",
    "public_key": "DKE62NqoaYC9MSAAQVkUZNJ6WhAL8d3hc05hSva5akU=",
    "valid_from": "2026-01-01T00:00:00+00:00",
    "valid_until": None,
    "revoked_at": None,
}

UNIT_ANSWER = {
    "data_version": DATA_VERSION,
    "unit": UNIT,
    "designations": [DESIGNATION],
    "bans": [],
    "removals_due": [],
}
HISTORY_ANSWER = {
    "data_version": DATA_VERSION,
    "unit": UNIT,
    "entries": [
        {
            "event_type": "Designated",
            "summary": "designated: green_park (320000), 第一批",
            "effective_date": "2020-01-01",
            "recorded_at": "2026-01-05T04:00:00+00:00",
            "authority_code": "js-eit",
            "authority_name": "江苏省工业和信息化厅",
            "document_number": "苏工信节能〔2020〕1号",
            "flags": [],
            "evidence": EVIDENCE,
            "rules": None,
            "derived_flags": [],
        }
    ],
    "removals_due": [],
}
LOOKUP_ANSWER = {
    "data_version": DATA_VERSION,
    "query": "苏州工业园区",
    "hits": [
        {
            "unit": UNIT,
            "score": 0.95,
            "matched": "former_name",
            "matched_text": "苏州工业园区",
            "explanation": "matched a former name 苏州工业园区",
            "titles": [DESIGNATION],
            "certified": True,
        }
    ],
}
LIST_ANSWER = {
    "data_version": DATA_VERSION,
    "programme": "green_park",
    "level": "provincial",
    "jurisdiction": "320000",
    "as_of": "2024-03-01",
    "known_at": None,
    "items": [DESIGNATION],
    "next": None,
}
BANS_ANSWER = {"data_version": DATA_VERSION, "active_on": "2026-01-01", "bans": [BAN]}
RULES_ANSWER = {
    "data_version": DATA_VERSION,
    "rules": [
        {
            "rulebook": "provincial",
            "text": "003 绿色工厂梯度培育及管理实施细则",
            "programmes": ["green_factory", "green_park", "green_supply_chain"],
            "jurisdiction": "320000",
            "in_force_from": "2024-07-19",
            "in_force_until": "2029-07-18",
            "document_number": "江苏省绿色工厂梯度培育及管理实施细则",
            "recorded_at": "2026-01-01T04:00:00+00:00",
            "evidence": {"event_id": "6a2b61a4-f90d-5526-91f8-e8febaf7cac9/5", "position": 18},
        }
    ],
}
CHECK_ANSWER = {
    "data_version": DATA_VERSION,
    "as_of": "2026-03-01",
    "known_at": None,
    "results": [
        {
            "ref": PARK_ID,
            "outcome": "certified",
            "unit_id": PARK_ID,
            "name": "苏州工业园区绿色发展区",
            "designations": [IN_FORCE],
            "bans": [],
            "evidence": [EVIDENCE],
            "message": "certified: green_park (320000) since 2020-01-01",
            "restricted": [],
            "certified": True,
        },
        {
            "ref": "BAD",
            "outcome": "invalid_code",
            "unit_id": None,
            "name": None,
            "designations": [],
            "bans": [],
            "evidence": [],
            "message": "'BAD' is neither a unit id nor a valid unified social credit code",
            "restricted": [],
            "certified": False,
        },
    ],
}
MATCH_ANSWER = {
    "data_version": DATA_VERSION,
    "as_of": "2026-03-01",
    "known_at": None,
    "threshold": 0.8,
    "results": [
        {
            "index": 0,
            "status": "match",
            "match": True,
            "unit_id": PARK_ID,
            "candidates": [
                {
                    "unit_id": PARK_ID,
                    "name": "苏州工业园区绿色发展区",
                    "kind": "park",
                    "division": "320500",
                    "credit_code": None,
                    "score": 0.95,
                    "match": True,
                    "matched": "former_name",
                    "matched_text": "苏州工业园区",
                    "reasons": ["former name (from 2017-01-01 to 2022-05-31)", "same name"],
                    "explanation": "matched a former name 苏州工业园区: same name",
                    "outcome": "certified",
                    "certified": True,
                    "designations": [IN_FORCE],
                }
            ],
            "notes": [],
            "error": None,
            "coverage": None,
        }
    ],
}
EVENTS_ANSWER = {
    "data_version": DATA_VERSION,
    "after": 21,
    "events": [
        {
            "position": 21,
            "event_id": f"{PARK_ID}/2",
            "type": "Designated",
            "recorded_at": "2026-01-05T04:00:00+00:00",
            "signed_act": '{"act_id":"...","authority":"js-eit","type":"designate",...}',
            "signature": "tUiYlY2xJS5o7f/rJAEZcXwPWpUPknW6YHYVWLFWbIrnpAgUD9Cfu8WnXnSCYlnZR99P"
            "bdnoBuw7fztUi2nTAA==",
            "key_id": "7b6ded7573520fef89f7a4966c603d96",
            "effective_date": "2020-01-01",
            "flags": [],
        }
    ],
    "next": 22,
    "log_size": 29,
}
WITNESS_LINE = (
    "— witness.example.org/w1 Hn5tFQAAAABo7Pt0lb/AIJpDRZtEesms6RzfIeP9im2B2gmhpK/yOzNHmBMFZEcIanbzt"
    "XA777+AQ1PtdZ6kksUi0GmFcat4HRXJz8GQ5A=="
)
CHECKPOINT_ANSWER = {
    "data_version": DATA_VERSION,
    "checkpoint": CHECKPOINT
    | {
        "cosignatures": [{"witness": "witness.example.org/w1", "line": WITNESS_LINE}],
        "cosigned_note": NOTE + WITNESS_LINE + "\n",
    },
}
WITNESSED_ANSWER = {
    "data_version": DATA_VERSION,
    "witnessed": {
        "checkpoint": NOTE + WITNESS_LINE + "\n",
        "consistency": ["109a6c9b203dd3ee0b4efbf9385962efd56b0461c7af78487a531613b6a7cb1b"],
    },
    "since": 28,
    "checkpoint": CHECKPOINT_ANSWER["checkpoint"],
}
WITNESSES_ANSWER = {
    "required": 1,
    "witnesses": [
        {
            "name": "witness.example.org/w1",
            "public_key": "R8fi5QYx/ieim28h2uZHA13Ln2wxzHaRL2zDP+FtGcQ=",
            "key_id": "1e7e6d15",
            "vkey": "witness.example.org/w1+1e7e6d15+BEfH4uUGMf4noptvIdrmRwNdy59sMcx2kS9swz/hbRnE",
            "url": "https://witness.example.org",
        }
    ],
}
CHECKPOINTS_ANSWER = {
    "data_version": DATA_VERSION,
    "after": 28,
    "checkpoints": [CHECKPOINT],
    "next": None,
}
INCLUSION_ANSWER = {
    "data_version": DATA_VERSION,
    "inclusion": {
        "event_id": f"{PARK_ID}/2",
        "position": 21,
        "tree_size": 29,
        "leaf_hash": "c9f3685ae1a3ad888d01e9a8a17ecb8197d6186507251b2cb5162ebe5c929388",
        "hashes": [
            "6a550e220b3c923cbc47e82f4a9159cd945ec037d9d4b845575d112da1c52ccc",
            "220e6e04d889d4fd7200c851f8f099ff23141fbf017e7dc8e88768e966af846b",
        ],
        "checkpoint": CHECKPOINT,
    },
}
CONSISTENCY_ANSWER = {
    "data_version": DATA_VERSION,
    "consistency": {
        "first": {**CHECKPOINT, "tree_size": 28, "root_hash": "c6bb..."},
        "second": CHECKPOINT,
        "hashes": ["109a6c9b203dd3ee0b4efbf9385962efd56b0461c7af78487a531613b6a7cb1b"],
    },
}
LOG_KEY_ANSWER = {
    "data_version": DATA_VERSION,
    "log_key": {
        "position": 1,
        "entry": {
            "originator_id": "6a2b61a4-f90d-5526-91f8-e8febaf7cac9",
            "originator_version": 2,
            "topic": "greenreg.events.vocabulary:LogKeyDeclared",
            "state_base64": "eyJ0aW1lc3RhbXAiOnsiX3R5cGVfIjoiZGF0ZXRpbWVfaXNvIiwi...",
        },
        "inclusion": [ROOT_HASH],
    },
    "checkpoint": CHECKPOINT,
}
KEYS_ANSWER = {
    "data_version": DATA_VERSION,
    "root": {
        "code": "root",
        "name": "greenreg",
        "jurisdiction": "CN",
        "keys": [{**KEY, "key_id": "fe36e4970e7ed27f708430e56340c801"}],
    },
    "log_key": {
        "key_id": LOG_KEY_ID,
        "public_key": "59zVsJu9zUCv2Zfc/j15R0tk5pkliBnizsvTNNjE3wM=",
        "origin": "greenreg.log",
        "verifier_key": "greenreg.log+95bfc020+Aefc1bCbvc1Ar9mX3P49eUdLZOaZJYgZ4s7L0zTYxN8D",
    },
    "log_key_declarations": [],
    "authorities": [
        {"code": "js-eit", "name": "江苏省工业和信息化厅", "jurisdiction": "320000", "keys": [KEY]}
    ],
}
HEALTH_ANSWER = {
    "status": "ok",
    "events": 29,
    "read_models": {"log_size": 29, "folded": 29, "behind": 0},
}
ACT_RECEIPT = {
    "act_id": "19064101-8b1d-4779-b7ad-2dd961f6aff0",
    "status": "recorded",
    "message": "recorded: designated green_park (320000)",
    "events": [
        {
            "event_id": f"{PARK_ID}/2",
            "type": "Designated",
            "unit_or_authority_id": PARK_ID,
            "version": 2,
            "position": 21,
        }
    ],
    "flags": [],
}
EVALUATOR_ANSWER = {
    "data_version": DATA_VERSION,
    "evaluator": {
        "id": "2f1c4e0a-7b7e-5d0e-9a43-1c8f0e6b9d21",
        "name": "江苏某节能评价有限公司",
        "credit_code": "91320000MA1MXB6C3T",
        "legal_representative": "王某",
        "registered_on": "2024-01-02",
        "sanctions": [
            {
                "rule": "003 art. 24",
                "source": "003",
                "area": "320000",
                "first_day": "2025-09-02",
                "last_day": "2028-09-02",
                "ground": "falsification",
                "document_number": "苏工信节能〔2025〕9号",
                "evidence": {"event_id": "2f1c4e0a-7b7e-5d0e-9a43-1c8f0e6b9d21/2", "position": 40},
            }
        ],
        "evaluations": [
            {
                "unit_id": PARK_ID,
                "unit_name": "苏州工业园区绿色发展区",
                "programme": "green_factory",
                "level": "provincial",
                "jurisdiction": "320000",
                "effective_date": "2025-01-11",
                "counted_by": "003 art. 24",
                "place": 11,
                "flags": [
                    {
                        "code": "evaluation_cap_exceeded",
                        "rule": "003 art. 24",
                        "message": "the 11th provincial evaluation in 2025 by evaluators whose "
                        "legal representative is 王某; the cap is 10",
                    }
                ],
                "evidence": {"event_id": f"{PARK_ID}/4", "position": 51},
            }
        ],
        "yearly_counts": [
            {
                "legal_representative": "王某",
                "year": 2025,
                "count": 11,
                "by_this_evaluator": 11,
                "cap": 10,
                "rule": "003 art. 24",
                "exceeded": True,
            }
        ],
        "evidence": {"event_id": "2f1c4e0a-7b7e-5d0e-9a43-1c8f0e6b9d21/1", "position": 39},
    },
}
JOB_ID = "5b0c1a52-1a3e-4b8e-9f57-8d3f2a6c4e10"
JOB_STATUS = {
    "id": JOB_ID,
    "kind": "check",
    "status": "done",
    "submitted_at": "2026-03-01T02:00:00+00:00",
    "as_of": "2026-03-01",
    "known_at": "2026-03-01T02:00:00+00:00",
    "threshold": None,
    "input_format": "csv",
    "input_sha256": "9f2b5c0e" + "0" * 56,
    "rows": 3,
    "references": 2,
    "row_errors": 1,
    "errors": [{"line": 3, "message": "as_of '2026-13-01' is not a day (YYYY-MM-DD)"}],
    "chunks_total": 1,
    "chunks_done": 1,
    "references_done": 2,
    "progress": 1.0,
    "counts": {"certified": 1, "not_found": 1, "row_error": 1},
    "data_version": DATA_VERSION,
    "result_sha256": "4c1d2e3f" + "0" * 56,
    "result_jsonl": f"/api/v1/jobs/{JOB_ID}/result.jsonl",
    "result_csv": f"/api/v1/jobs/{JOB_ID}/result.csv",
    "receipt": {"document": '{"kind":"job",...}', "key_id": LOG_KEY_ID},
    "finished_at": "2026-03-01T02:00:01+00:00",
    "attempts": 0,
    "failure": None,
}
JOB_JSONL = (
    '{"row":1,"ref":"' + PARK_ID + '","outcome":"certified",...}\n'
    '{"row":2,"ref":"91320505MA1P7XQC3C","outcome":"not_found",...}\n'
)
JOB_CSV = "row,ref,as_of,outcome,...\r\n1," + PARK_ID + ",2026-03-01,certified,...\r\n"
LIST_CSV = (
    "unit_id,unit_name,programme,level,jurisdiction,status,since,...\r\n"
    + PARK_ID
    + ",苏州工业园区绿色发展区,green_park,provincial,320000,listed,2020-01-01,...\r\n"
)
WATCHLIST = {
    "watchlist_id": "7c8e1f0a-2b4d-4e6f-8a1c-3d5e7f9b0c12",
    "url": "https://bank.example/greenreg/hooks",
    "created_at": "2026-03-01T02:00:00+00:00",
    "entry_count": 2,
    "unknown_codes": 0,
    "next_position": 29,
    "pending": None,
}
DELIVERIES = {
    "watchlist_id": "7c8e1f0a-2b4d-4e6f-8a1c-3d5e7f9b0c12",
    "deliveries": [
        {
            "seq": 1,
            "position": 30,
            "change": "designated",
            "unit_id": PARK_ID,
            "attempt": 1,
            "attempted_at": "2026-03-02T02:00:00+00:00",
            "outcome": "delivered",
            "status_code": 204,
            "error": None,
            "duration_ms": 41,
        }
    ],
    "next": None,
}
