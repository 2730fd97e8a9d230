from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    ClassVar,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorDetail")

# The attributes of the documented fields, in the order of ErrorDetail.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = (
    "code",
    "message",
    "more_info",
)


@_attrs_define
class ErrorDetail:
    """
    Attributes:
        code (int | str | Unset):
        message (str | Unset):
        more_info (str | Unset):
    """

    code: int | str | Unset = UNSET
    message: str | Unset = UNSET
    more_info: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[tuple[str, ...]] = (
        "code",
        "message",
        "more_info",
    )
    """The documented fields' names on the wire, in the order they are sent."""

    def to_dict(self) -> dict[str, Any]:
        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        message = self.message

        more_info = self.more_info

        field_dict: dict[str, Any] = {}
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if more_info is not UNSET:
            field_dict["more_info"] = more_info
        for prop_name, prop in self.additional_properties.items():
            field_dict.setdefault(prop_name, prop)  # a documented field keeps its own value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"{cls.__name__} is read from a JSON object, not {type(src_dict).__name__}")
        d = dict(src_dict)

        def _parse_code(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        message = d.pop("message", UNSET)

        more_info = d.pop("more_info", UNSET)

        error_detail = cls(
            code=code,
            message=message,
            more_info=more_info,
        )

        error_detail.additional_properties = d
        return error_detail

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
