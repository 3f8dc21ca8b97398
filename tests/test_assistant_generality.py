"""The offline engine on a domain it was not written for (a lending library): every name
comes from tests/assistant_domain/library.yaml and its database, none from the engine."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from assistant import DuckDBDatabase, Engine, SemanticModel
from assistant.validate import validate
from tests.assistant_domain import MODEL, build_library


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Path]:
    path = build_library(tmp_path_factory.mktemp("library") / "library_data.duckdb")
    model = SemanticModel.load(MODEL)
    return Engine(model, DuckDBDatabase.for_model(path, model.databases)), path


def truth(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float | Decimal) else value  # type: ignore[return-value]


def test_the_model_validates_against_its_database(library: tuple[Engine, Path]) -> None:
    engine, path = library
    assert validate(MODEL, engine.database) == []


@pytest.mark.parametrize(
    ("question", "expected_sql"),
    [
        ("How many loans per genre?",
         "SELECT b.genre, COUNT(*) FROM loans l JOIN books b USING (book_id) GROUP BY 1 ORDER BY 2 DESC"),
        ("How many members are in Boston?",
         "SELECT COUNT(*) FROM members WHERE city = 'Boston'"),
        ("What is the average age of members in Salem?",
         "SELECT AVG(age) FROM members WHERE city = 'Salem'"),
        ("total fines by branch",
         "SELECT branch, SUM(late_fee) FROM loans GROUP BY 1 ORDER BY 2 DESC"),
        ("top 3 authors by number of loans",
         "SELECT b.author, COUNT(*) FROM loans l JOIN books b USING (book_id) GROUP BY 1 ORDER BY 2 DESC LIMIT 3"),
        ("How many loans were overdue in 2025?",
         "SELECT COUNT(*) FROM loans WHERE days_late > 0 AND loan_date >= '2025-01-01' AND loan_date < '2026-01-01'"),
        ("number of loans by membership tier for members not in Boston",
         "SELECT m.membership_tier, COUNT(*) FROM loans l JOIN members m USING (member_id) WHERE m.city <> 'Boston' GROUP BY 1 ORDER BY 2 DESC"),
        # the data ends on 2026-06-30, a complete month: the last 3 complete months are Apr-Jun
        ("loans per month in the last 3 months",
         "SELECT date_trunc('month', loan_date)::DATE, COUNT(*) FROM loans WHERE loan_date >= '2026-04-01' AND loan_date < '2026-07-01' GROUP BY 1 ORDER BY 1"),
        ("How many loans did each branch make?",
         "SELECT branch, COUNT(*) FROM loans GROUP BY 1 ORDER BY 2 DESC"),
        # people over a bare number: their age
        ("How many members are over 65?", "SELECT COUNT(*) FROM members WHERE age > 65"),
        # a condition two joins away, through the events that join both
        ("average pages of books borrowed in Boston",
         "SELECT AVG(pages) FROM books WHERE book_id IN (SELECT book_id FROM loans WHERE member_id IN (SELECT member_id FROM members WHERE city = 'Boston'))"),
    ],
)  # fmt: skip
def test_questions_match_hand_written_sql(
    library: tuple[Engine, Path], question: str, expected_sql: str
) -> None:
    engine, path = library
    answer = engine.ask(question)
    assert answer.status == "answered", answer.answer
    expected = truth(path, expected_sql)
    got = [tuple(_num(v) for v in row[: len(expected[0])]) for row in answer.rows]
    assert got == [tuple(_num(v) for v in row) for row in expected], answer.sql


def test_the_data_ends_on_a_month_end(library: tuple[Engine, Path]) -> None:
    assert truth(library[1], "SELECT MAX(loan_date) FROM loans")[0][0].isoformat() == "2026-06-30"


def test_follow_up_and_list_in_another_domain(library: tuple[Engine, Path]) -> None:
    engine, path = library
    first = engine.ask("How many members are in Boston?")
    second = engine.ask("and in Cambridge?", history=[first])
    assert (
        second.rows[0][0]
        == truth(path, "SELECT COUNT(*) FROM members WHERE city = 'Cambridge'")[0][0]
    )
    listing = engine.ask("Show members older than 80 in Salem")
    expected = truth(
        path,
        "SELECT member_id FROM members WHERE age > 80 AND city = 'Salem' ORDER BY age DESC, member_id",
    )
    assert sorted(r[0] for r in listing.rows) == sorted(r[0] for r in expected)


def test_unknown_things_are_clarified_not_invented(library: tuple[Engine, Path]) -> None:
    engine, _ = library
    answer = engine.ask("What is the average salary of members?")
    assert answer.status == "clarify" and answer.sql is None
    assert "salary" in answer.answer


def test_who_and_the_most_of_another_entity_rank_the_people(library: tuple[Engine, Path]) -> None:
    """ "Who paid the most fines": the events' most joined entity, ranked by the sum; "the
    most books": members ranked by how many distinct books their loans reach."""
    engine, path = library
    fines = engine.ask("Who paid the most fines?")
    expected = truth(
        path, "SELECT SUM(late_fee) FROM loans GROUP BY member_id ORDER BY 1 DESC LIMIT 10"
    )
    assert fines.status == "answered", fines.answer
    assert [_num(r[-1]) for r in fines.rows] == [_num(r[0]) for r in expected]
    books = engine.ask("Which member borrowed the most books?")
    expected = truth(
        path,
        "SELECT COUNT(DISTINCT book_id) FROM loans GROUP BY member_id ORDER BY 1 DESC LIMIT 10",
    )
    assert [r[-1] for r in books.rows] == [r[0] for r in expected], books.sql


def test_a_value_the_data_does_not_hold_is_asked_about(library: tuple[Engine, Path]) -> None:
    engine, _ = library
    answer = engine.ask("Which city has the most Premium members?")
    assert answer.status == "clarify" and answer.sql is None and "Premium" in answer.answer
