"""Backends that ask a service for the SQL: Cortex Analyst, and any OpenAI-compatible endpoint.

Both only *draft*: the engine refuses unsafe questions before calling them, and runs whatever
SQL comes back through the same AST guard and the same read-only connection. HTTP is plain
`urllib` (no client library; the calls are simple JSON POSTs).

Cortex Analyst (`POST /api/v2/cortex/analyst/message`): the request carries the conversation
(`messages`: alternating user/analyst turns, each with `content` blocks) and exactly one of
`semantic_model` (the YAML inline — what we send), `semantic_model_file` (a stage path) or
`semantic_view`. The response has `request_id`, `warnings` and `message.content` blocks of
type `text`, `sql` (`statement`, `confidence.verified_query_used`) and `suggestions`.
Feedback: `POST /api/v2/cortex/analyst/feedback {request_id, positive, feedback_message}`.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from assistant.model import SemanticModel


class RemoteError(RuntimeError):
    """The service answered with an error or could not be reached."""


def _post(url: str, body: dict[str, Any], headers: dict[str, str], timeout: float) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, http(s) only
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
        method="POST",
    )
    if not url.startswith(("http://", "https://")):
        raise RemoteError(f"refusing a non-HTTP URL: {url}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            payload = response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:300]
        raise RemoteError(f"{url} answered HTTP {exc.code}: {detail}") from None
    except urllib.error.URLError as exc:
        raise RemoteError(f"{url} is not reachable: {exc.reason}") from None
    return json.loads(payload) if payload else {}


class CortexAnalystBackend:
    """Snowflake Cortex Analyst's REST API with the semantic model inline."""

    name = "cortex"

    def __init__(
        self,
        model: SemanticModel,
        base_url: str,
        token: str,
        *,
        token_type: str = "PROGRAMMATIC_ACCESS_TOKEN",
        timeout: float = 60.0,
    ):
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.token_type = token_type
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "X-Snowflake-Authorization-Token-Type": self.token_type,
        }

    def messages(self, question: str, history: Sequence[Any]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for turn in history:
            out.append({"role": "user", "content": [{"type": "text", "text": turn.question}]})
            content: list[dict[str, Any]] = [{"type": "text", "text": turn.answer or ""}]
            if turn.sql:
                content.append({"type": "sql", "statement": turn.sql})
            out.append({"role": "analyst", "content": content})
        out.append({"role": "user", "content": [{"type": "text", "text": question}]})
        return out

    def generate(self, question: str, history: Sequence[Any]) -> Any:
        from assistant.engine import Draft

        body = {
            "messages": self.messages(question, history),
            "semantic_model": self.model.text,
            "stream": False,
        }
        data = _post(
            f"{self.base_url}/api/v2/cortex/analyst/message", body, self._headers(), self.timeout
        )
        texts, sql, suggestions, verified = [], None, [], None
        for block in (data.get("message") or {}).get("content") or []:
            kind = block.get("type")
            if kind == "text" and block.get("text"):
                texts.append(block["text"])
            elif kind == "sql":
                sql = block.get("statement")
                verified = (block.get("confidence") or {}).get("verified_query_used")
            elif kind in ("suggestions", "suggestion"):
                suggestions.extend(block.get("suggestions") or [])
        warnings = [w.get("message", str(w)) for w in data.get("warnings") or []]
        text = " ".join(texts)
        if sql:
            return Draft(
                "sql", sql=sql, dialect="snowflake", text=text, suggestions=suggestions,
                warnings=warnings, request_id=data.get("request_id"),
                verified_query_used=verified,
            )  # fmt: skip
        return Draft(
            "clarify", text=text or "Cortex Analyst returned no SQL for that question.",
            suggestions=suggestions, warnings=warnings, request_id=data.get("request_id"),
        )  # fmt: skip

    def feedback(self, request_id: str, positive: bool, message: str) -> bool:
        _post(
            f"{self.base_url}/api/v2/cortex/analyst/feedback",
            {"request_id": request_id, "positive": positive, "feedback_message": message},
            self._headers(),
            self.timeout,
        )
        return True


SYSTEM_PROMPT = """You translate business questions into ONE read-only SQL SELECT statement.
Use only the logical tables of the semantic model below, written as __<table name> (for example
__{example}), their columns as named there, and joins along its relationships. Never modify
data. If the question cannot be answered from the model, or is ambiguous, reply with a line
starting with CLARIFY: and a short question back. Otherwise reply with the SQL only, in a
```sql fenced block, {dialect} dialect.

Semantic model (Cortex Analyst YAML):
{model}
"""


class OpenAICompatibleBackend:
    """Any `/v1/chat/completions`-style endpoint (OpenAI, vLLM, llama.cpp server, …)."""

    name = "openai"

    def __init__(
        self,
        model: SemanticModel,
        base_url: str,
        llm: str,
        api_key: str | None = None,
        *,
        dialect: str = "snowflake",
        timeout: float = 60.0,
    ):
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.llm = llm
        self.api_key = api_key
        self.dialect = dialect
        self.timeout = timeout

    def generate(self, question: str, history: Sequence[Any]) -> Any:
        from assistant.engine import Draft

        example = next(iter(self.model.tables), "table")
        messages: list[dict[str, str]] = [
            {
                "role": "system",
                "content": SYSTEM_PROMPT.format(
                    example=example, dialect=self.dialect, model=self.model.text
                ),
            }
        ]
        for turn in history:
            messages.append({"role": "user", "content": turn.question})
            messages.append(
                {
                    "role": "assistant",
                    "content": f"```sql\n{turn.sql}\n```" if turn.sql else turn.answer,
                }
            )
        messages.append({"role": "user", "content": question})
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        data = _post(
            f"{self.base_url}/chat/completions",
            {"model": self.llm, "messages": messages, "temperature": 0},
            headers,
            self.timeout,
        )
        try:
            content = data["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError):
            raise RemoteError("the chat endpoint returned no choices") from None
        content = content.strip()
        if content.upper().startswith("CLARIFY:"):
            return Draft(
                "clarify", text=content.split(":", 1)[1].strip(), request_id=data.get("id")
            )
        fenced = re.search(r"```(?:sql)?\s*(.*?)```", content, re.S | re.I)
        sql = (fenced.group(1) if fenced else content).strip().rstrip(";")
        return Draft(
            "sql", sql=sql, dialect=self.dialect, logical=True, request_id=data.get("id"),
        )  # fmt: skip

    def feedback(self, request_id: str, positive: bool, message: str) -> bool:
        return False
