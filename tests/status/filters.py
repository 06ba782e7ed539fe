"""The vendor list's light filter as the list applies it: the stored states, made current first."""

from datetime import date

from sqlalchemy import ColumnElement

from oversight.status import store


def condition(key: str, colour: str, today: date) -> ColumnElement[bool]:
    store.ensure_current(today)
    return store.condition(key, colour)
