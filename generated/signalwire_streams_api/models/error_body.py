from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_detail import ErrorDetail


T = TypeVar("T", bound="ErrorBody")

# The attributes of the documented fields, in the order of ErrorBody.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = (
    "code",
    "message",
    "more_info",
    "status",
    "errors",
)


@_attrs_define
class ErrorBody:
    """Either the flat shape {"code", "message", "more_info", "status"}, or {"errors": [{"code", "message", "more_info"}]},
    or {"errors": ["text"]}.

        Attributes:
            code (int | str | Unset):
            message (str | Unset):
            more_info (str | Unset):
            status (int | Unset):
            errors (list[ErrorDetail | str] | Unset):
    """

    code: int | str | Unset = UNSET
    message: str | Unset = UNSET
    more_info: str | Unset = UNSET
    status: int | Unset = UNSET
    errors: list[ErrorDetail | str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[tuple[str, ...]] = (
        "code",
        "message",
        "more_info",
        "status",
        "errors",
    )
    """The documented fields' names on the wire, in the order they are sent."""

    def to_dict(self) -> dict[str, Any]:
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415

        code: int | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        message = self.message

        more_info = self.more_info

        status = self.status

        errors: list[dict[str, Any] | str] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item: dict[str, Any] | str
                if isinstance(errors_item_data, ErrorDetail):
                    errors_item = errors_item_data.to_dict()
                else:
                    errors_item = errors_item_data
                errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if more_info is not UNSET:
            field_dict["more_info"] = more_info
        if status is not UNSET:
            field_dict["status"] = status
        if errors is not UNSET:
            field_dict["errors"] = errors
        for prop_name, prop in self.additional_properties.items():
            field_dict.setdefault(prop_name, prop)  # a documented field keeps its own value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_detail import ErrorDetail  # noqa: PLC0415

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

        status = d.pop("status", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[ErrorDetail | str] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:

                def _parse_errors_item(data: object) -> ErrorDetail | str:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        errors_item_type_0 = ErrorDetail.from_dict(data)

                        return errors_item_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    return cast(ErrorDetail | str, data)

                errors_item = _parse_errors_item(errors_item_data)

                errors.append(errors_item)

        error_body = cls(
            code=code,
            message=message,
            more_info=more_info,
            status=status,
            errors=errors,
        )

        error_body.additional_properties = d
        return error_body

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
