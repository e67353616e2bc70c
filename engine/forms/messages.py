"""Field error messages, each in Chinese and English, naming the field by its label.

Forms are authored in Chinese, so an English message uses `label_en` when the author gave one
and the Chinese label otherwise.
"""

from __future__ import annotations

from decimal import Decimal

from engine.errors import Message
from engine.forms.model import Field


def _zh(f: Field) -> str:
    return f"“{f.label_for('zh')}”"


def _en(f: Field) -> str:
    return f"'{f.label_for('en')}'"


def show(number: Decimal | int | float) -> str:
    """60, not 60.0 or 6E+1."""
    value = Decimal(str(number))
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")


def summary(count: int) -> Message:
    return Message(f"表单填写有误（{count} 处），请修改后重新提交",
                   f"The form has {count} error(s); please correct and submit again")


def not_an_object() -> Message:
    return Message("提交的数据格式不正确", "Submitted data must be an object")


def required(f: Field) -> Message:
    if f.type == "checkbox":
        return Message(f"请勾选{_zh(f)}", f"{_en(f)} must be checked")
    if f.multiple:
        return Message(f"{_zh(f)}至少选择一项", f"Choose at least one {_en(f)}")
    return Message(f"{_zh(f)}为必填项", f"{_en(f)} is required")


def not_text(f: Field) -> Message:
    return Message(f"{_zh(f)}应为文字", f"{_en(f)} must be text")


def bad_characters(f: Field) -> Message:
    return Message(f"{_zh(f)}含有不允许的控制字符", f"{_en(f)} contains control characters that are not allowed")


def too_short(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}至少需要 {n} 个字符", f"{_en(f)} must have at least {n} characters")


def too_long(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}不能超过 {n} 个字符", f"{_en(f)} must have at most {n} characters")


def pattern(f: Field) -> Message:
    zh = f.rules.pattern_message or f"{_zh(f)}格式不正确"
    en = f.rules.pattern_message_en or f"{_en(f)} is not in the required format"
    return Message(zh, en)


def email(f: Field) -> Message:
    return Message(f"{_zh(f)}不是有效的电子邮箱地址", f"{_en(f)} is not a valid email address")


def phone(f: Field) -> Message:
    return Message(f"{_zh(f)}不是有效的电话号码（手机、区号-座机号或 +国家码 号码）",
                   f"{_en(f)} is not a valid phone number (mobile, area code-number, or +country code number)")


def id_card_format(f: Field) -> Message:
    return Message(f"{_zh(f)}应为 18 位居民身份证号（17 位数字加 1 位数字或 X）",
                   f"{_en(f)} must be an 18-character resident ID number (17 digits, then a digit or X)")


def id_card_birth(f: Field) -> Message:
    return Message(f"{_zh(f)}中的出生日期（第 7–14 位）不是有效日期",
                   f"{_en(f)}: the date of birth in characters 7–14 is not a real date")


def id_card_check(f: Field) -> Message:
    return Message(f"{_zh(f)}校验位不正确，请核对号码", f"{_en(f)}: the check digit is wrong; please check the number")


def passport_no(f: Field) -> Message:
    return Message(f"{_zh(f)}应为 5–20 位字母或数字", f"{_en(f)} must be 5–20 letters or digits")


def not_number(f: Field) -> Message:
    return Message(f"{_zh(f)}必须是数字", f"{_en(f)} must be a number")


def not_integer(f: Field) -> Message:
    return Message(f"{_zh(f)}必须是整数", f"{_en(f)} must be a whole number")


def too_many_decimals(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}最多保留 {n} 位小数", f"{_en(f)} may have at most {n} decimal places")


def not_multiple(f: Field, step: Decimal) -> Message:
    return Message(f"{_zh(f)}必须是 {show(step)} 的整数倍", f"{_en(f)} must be a multiple of {show(step)}")


def too_small(f: Field, low: Decimal) -> Message:
    return Message(f"{_zh(f)}不能小于 {show(low)}", f"{_en(f)} must be at least {show(low)}")


def too_large(f: Field, high: Decimal) -> Message:
    return Message(f"{_zh(f)}不能大于 {show(high)}", f"{_en(f)} must be at most {show(high)}")


def not_date(f: Field) -> Message:
    shape = {"date": "YYYY-MM-DD", "time": "HH:MM", "datetime": "YYYY-MM-DDTHH:MM"}[f.subtype or "date"]
    what_zh = {"date": "日期", "time": "时间", "datetime": "日期时间"}[f.subtype or "date"]
    what_en = {"date": "date", "time": "time", "datetime": "date and time"}[f.subtype or "date"]
    return Message(f"{_zh(f)}不是有效的{what_zh}（格式 {shape}）", f"{_en(f)} is not a valid {what_en} ({shape})")


def in_the_past(f: Field) -> Message:
    return Message(f"{_zh(f)}不能早于今天", f"{_en(f)} cannot be in the past")


def before(f: Field, other: Field) -> Message:
    return Message(f"{_zh(f)}不能早于{_zh(other)}", f"{_en(f)} cannot be earlier than {_en(other)}")


def not_option(f: Field) -> Message:
    return Message(f"{_zh(f)}的取值不在可选范围内", f"{_en(f)}: the value is not one of the options")


def single_value(f: Field) -> Message:
    return Message(f"{_zh(f)}只能有一个值", f"{_en(f)} takes a single value")


def not_bool(f: Field) -> Message:
    return Message(f"{_zh(f)}只能是勾选或不勾选", f"{_en(f)} must be checked or unchecked")


def not_rows(f: Field) -> Message:
    return Message(f"{_zh(f)}应为若干行的列表", f"{_en(f)} must be a list of rows")


def not_row(f: Field) -> Message:
    return Message(f"{_zh(f)}中的这一行格式不正确", f"A row of {_en(f)} is not an object")


def too_few_rows(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}至少需要 {n} 行", f"{_en(f)} needs at least {n} row(s)")


def rows_fixed(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}的行对应已登记的 {n} 条记录，不能增删",
                   f"{_en(f)} shows the {n} recorded row(s); rows cannot be added or removed here")


def too_many_rows(f: Field, n: int) -> Message:
    return Message(f"{_zh(f)}最多 {n} 行", f"{_en(f)} may have at most {n} row(s)")
