"""Who may edit the market knowledge, and a fact's value as form fields and back.

The staff page edits any fact with one generic form: ``form_fields`` flattens a value
(numbers per column, a [min, max] pair, twelve months, a list of words, nested tables
such as a price model's tier mix) into named fields, ``value_from_form`` rebuilds a
value of the same shape from the posted strings, and ``field_of_problem`` names the
form field a validation problem concerns, so errors show next to their field.

Pure: no database, no web layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microbag.display_names import display_name

KNOWLEDGE_EDIT_ROLES = frozenset({"admin", "merchandiser"})
LIST_FIELD = "items"  # the field of a value that is a list of words
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str  # number, integer, text, words
    value: str


def _words(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(isinstance(v, str) for v in value)


def _number_text(value: float | int) -> str:
    return str(value) if isinstance(value, int) else format(value, ".12g")


def form_fields(value: Any, prefix: str = "", label: str = "") -> list[FormField]:
    """The editable fields of a fact's value, in order."""
    if isinstance(value, bool):
        return [FormField(prefix or "value", label or "Value", "text", str(value).lower())]
    if isinstance(value, int | float):
        kind = "integer" if isinstance(value, int) else "number"
        return [FormField(prefix or "value", label or "Value", kind, _number_text(value))]
    if isinstance(value, str):
        return [FormField(prefix or "value", label or "Value", "text", value)]
    if _words(value):
        return [FormField(prefix or LIST_FIELD, label or "Items", "words", ", ".join(value))]
    if isinstance(value, tuple | list):
        names: tuple[str, ...]
        if len(value) == 2:
            names = ("min", "max")
        elif len(value) == 12:
            names = MONTHS
        else:
            names = tuple(str(i + 1) for i in range(len(value)))
        out: list[FormField] = []
        for i, item in enumerate(value):
            out += form_fields(
                item, f"{prefix}.{i}" if prefix else str(i), f"{label} {names[i]}".strip()
            )
        return out
    if isinstance(value, Mapping):
        out = []
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out += form_fields(item, name, f"{label} {display_name(key)}".strip())
        return out
    return [
        FormField(prefix or "value", label or "Value", "text", "" if value is None else str(value))
    ]


def value_from_form(template: Any, form: Mapping[str, str]) -> tuple[Any, dict[str, str]]:
    """A value shaped like ``template`` from the posted fields; errors per field name."""
    errors: dict[str, str] = {}

    def build(shape: Any, name: str) -> Any:
        if isinstance(shape, bool):
            return form.get(name, "").strip().lower() in ("true", "1", "yes")
        if isinstance(shape, int | float):
            raw = form.get(name, "").strip().replace(",", ".")
            try:
                number = float(raw)
            except ValueError:
                errors[name] = "Enter a number."
                return shape
            if isinstance(shape, int):
                if not number.is_integer():
                    errors[name] = "Enter a whole number."
                return int(number)
            return number
        if isinstance(shape, str):
            return form.get(name, "").strip()
        if _words(shape):
            words = [w.strip() for w in form.get(name, "").split(",")]
            return [w for w in words if w]
        if isinstance(shape, tuple | list):
            return [build(item, f"{name}.{i}" if name else str(i)) for i, item in enumerate(shape)]
        if isinstance(shape, Mapping):
            return {k: build(v, f"{name}.{k}" if name else str(k)) for k, v in shape.items()}
        return form.get(name, "")

    top = LIST_FIELD if _words(template) else ("value" if _scalar(template) else "")
    return build(template, top), errors


def _scalar(value: Any) -> bool:
    return isinstance(value, int | float | str)


def field_of_problem(problem_field: str, names: set[str]) -> str | None:
    """The form field a problem's field (``value.tier_mix.luxury``, ``value.3``) concerns."""
    if problem_field in names:
        return problem_field
    candidate = problem_field.removeprefix("value").lstrip(".")
    while candidate:
        if candidate in names:
            return candidate
        candidate = candidate.rpartition(".")[0]
    if len(names) == 1:
        return next(iter(names))
    return None
