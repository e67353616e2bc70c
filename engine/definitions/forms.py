"""form-js form files (`*.form`): safe loading and the form id → file index.

A user task names its form by the form's `id` (`camunda:formKey="trip_apply"`), not by file
name, so renaming a file never breaks a diagram.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.definitions.problems import FORM, problem
from engine.errors import DefinitionInvalid, Problem

if TYPE_CHECKING:
    from engine.definitions.bundle import DefinitionBundle

MAX_FORM_BYTES = 1024 * 1024


def load_form(data: bytes, filename: str, *, max_bytes: int = MAX_FORM_BYTES) -> dict[str, Any]:
    """The parsed form-js schema, or `DefinitionInvalid` listing everything wrong with it."""
    if len(data) > max_bytes:
        raise DefinitionInvalid([problem(
            FORM, f"表单文件过大：{len(data)} 字节，上限 {max_bytes} 字节",
            f"form file too large: {len(data)} bytes, the limit is {max_bytes} bytes", file=filename,
        )])
    schema = _decode(data, filename)
    problems = _shape_problems(schema, filename)
    if problems:
        raise DefinitionInvalid(problems)
    return schema


@dataclass
class FormIndex:
    by_id: dict[str, str] = field(default_factory=dict)  # form id -> file name
    problems: list[Problem] = field(default_factory=list)


def index_forms(bundle: DefinitionBundle) -> FormIndex:
    """Every valid form of the bundle by id, plus the problems of the invalid or clashing ones."""
    index = FormIndex()
    for name in sorted(bundle.forms):
        try:
            schema = load_form(bundle.forms[name], name)
        except DefinitionInvalid as exc:
            index.problems.extend(exc.problems)
            continue
        form_id = schema["id"]
        if form_id in index.by_id:
            index.problems.append(problem(
                FORM, f"表单 id “{form_id}” 重复：{index.by_id[form_id]} 与 {name}",
                f"form id '{form_id}' is used twice: {index.by_id[form_id]} and {name}",
                file=name, element_id=form_id,
            ))
            continue
        index.by_id[form_id] = name
    return index


def form_ids(bundle: DefinitionBundle) -> dict[str, str]:
    """Form id → file name for the bundle's valid forms (invalid ones are left out)."""
    return index_forms(bundle).by_id


def _decode(data: bytes, filename: str) -> Any:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    try:
        # json.loads detects UTF-8/16/32 from the bytes themselves.
        return json.loads(data, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise DefinitionInvalid([problem(
            FORM, f"表单文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）：{exc.msg}",
            f"the form file is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}",
            file=filename, line=exc.lineno,
        )]) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        # RecursionError: absurdly deep nesting; ValueError: e.g. NaN or a 5000-digit number.
        raise DefinitionInvalid([problem(
            FORM, f"表单文件不是有效的 JSON：{type(exc).__name__}: {exc}",
            f"the form file is not valid JSON: {type(exc).__name__}: {exc}", file=filename,
        )]) from None


def _shape_problems(schema: Any, filename: str) -> list[Problem]:
    if not isinstance(schema, dict):
        return [problem(FORM, "表单文件的顶层必须是 JSON 对象", "the form file must hold a JSON object",
                        file=filename)]
    out: list[Problem] = []
    form_id = schema.get("id")
    if not isinstance(form_id, str) or not form_id.strip():
        out.append(problem(FORM, "表单缺少 id（字符串），用户任务的 camunda:formKey 通过它引用表单",
                           "the form has no string 'id'; a user task's camunda:formKey refers to it",
                           file=filename))
    if schema.get("type") != "default":
        out.append(problem(FORM, f"表单 type 应为 \"default\"，实际为 {schema.get('type')!r}",
                           f"the form 'type' must be \"default\", found {schema.get('type')!r}",
                           file=filename, element_id=form_id if isinstance(form_id, str) else None))
    components = schema.get("components")
    if not isinstance(components, list):
        out.append(problem(FORM, "表单缺少 components 列表", "the form has no 'components' list",
                           file=filename, element_id=form_id if isinstance(form_id, str) else None))
    else:
        for i, comp in enumerate(components):
            if not isinstance(comp, dict) or not isinstance(comp.get("type"), str):
                out.append(problem(
                    FORM, f"第 {i + 1} 个表单组件不是带 type 的对象",
                    f"form component #{i + 1} is not an object with a 'type'", file=filename,
                    element_id=form_id if isinstance(form_id, str) else None,
                ))
    return out
