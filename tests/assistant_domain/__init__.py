"""The library domain: a semantic model (library.yaml) and a small DuckDB file built here."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import duckdb

MODEL = Path(__file__).with_name("library.yaml")
CITIES = ["Boston", "Springfield", "Salem", "Cambridge"]
GENRES = ["Mystery", "Science Fiction", "Biography", "Poetry", "Cooking"]
BRANCHES = ["Central", "Riverside", "Hilltop"]


def build_library(path: Path, seed: int = 3) -> Path:
    """A LIBRARY.duckdb with members, books and ~3,000 loans over 2025-01-01 … 2026-06-30."""
    rng = random.Random(seed)
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE members (member_id VARCHAR, city VARCHAR, membership_tier VARCHAR, joined_on DATE, age INT)"
    )
    con.execute(
        "CREATE TABLE books (book_id VARCHAR, title VARCHAR, genre VARCHAR, author VARCHAR, pages INT)"
    )
    con.execute(
        "CREATE TABLE loans (loan_id VARCHAR, member_id VARCHAR, book_id VARCHAR, branch VARCHAR, loan_date DATE, days_late INT, late_fee DECIMAL(8,2))"
    )
    members = [
        (f"M{i:04d}", rng.choice(CITIES), rng.choice(["Basic", "Plus", "Family"]),
         date(2020, 1, 1) + timedelta(days=rng.randrange(2000)), rng.randrange(16, 90))
        for i in range(1, 301)
    ]  # fmt: skip
    authors = ["Ada Stone", "Ben Carver", "Cleo Marsh", "Dan Oakes", "Eve Lark", "Finn Gale"]
    books = [
        (f"B{i:04d}", f"Title {i}", rng.choice(GENRES), rng.choice(authors), rng.randrange(90, 900))
        for i in range(1, 201)
    ]
    loans = []
    for i in range(1, 3001):
        late = max(0, rng.randrange(-20, 15))
        loans.append(
            (f"L{i:06d}", rng.choice(members)[0], rng.choice(books)[0], rng.choice(BRANCHES),
             date(2025, 1, 1) + timedelta(days=rng.randrange(546)), late, round(late * 0.25, 2))
        )  # fmt: skip
    con.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", members)
    con.executemany("INSERT INTO books VALUES (?, ?, ?, ?, ?)", books)
    con.executemany("INSERT INTO loans VALUES (?, ?, ?, ?, ?, ?, ?)", loans)
    con.close()
    return path
