"""The AI assistant: questions in plain English → one guarded, read-only SQL query → an answer.

Public API (what `c360 ask` and the dashboard's chat call)::

    from assistant import Answer, AssistantStore, DuckDBDatabase, Engine, SemanticModel

    model = SemanticModel.load("semantic_model/customer_analytics.yaml")
    engine = Engine(model, DuckDBDatabase.for_model(settings.serving_path, model.databases),
                    store=AssistantStore(settings.data_dir / "assistant" / "ASSISTANT.duckdb"))
    answer = engine.ask("What is the average spend of customers in California?")
    follow = engine.ask("and in Texas?", history=[answer])
    engine.feedback(follow.request_id, positive=True, message="")

`Answer` fields: status (answered | clarify | refused), question, answer, sql, columns, rows,
chart (kind, x, y) or None, verified_query_used, suggestions, warnings, request_id, backend,
latency_ms, truncated, refusal_reason, intent (for follow-ups); `to_dict()` is JSON-safe.
Other backends: `assistant.remote.CortexAnalystBackend`, `OpenAICompatibleBackend`
(`Engine(model, database, backend=...)`). See docs/assistant.md.
"""

from assistant.database import DuckDBDatabase
from assistant.engine import Answer, Chart, Engine
from assistant.model import SemanticModel
from assistant.store import AssistantStore

__all__ = ["Answer", "AssistantStore", "Chart", "DuckDBDatabase", "Engine", "SemanticModel"]
