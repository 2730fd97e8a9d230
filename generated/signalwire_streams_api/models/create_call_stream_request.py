from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status_callback_method import StatusCallbackMethod
from ..models.track import Track
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateCallStreamRequest")

# The attributes of the documented fields, in the order of CreateCallStreamRequest.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = (
    "url",
    "name",
    "track",
    "status_callback",
    "status_callback_method",
    "authorization_bearer_token",
    "parameter_1_name",
    "parameter_1_value",
    "parameter_2_name",
    "parameter_2_value",
)


@_attrs_define
class CreateCallStreamRequest:
    """Up to 99 custom parameters go as Parameter{N}.Name / Parameter{N}.Value, N = 1..99; the pairs after the second
    travel as additional properties.

        Attributes:
            url (str): The wss:// URL of the WebSocket server that receives the audio. ws:// is refused; no query string
                (use custom parameters).
            name (str | Unset): Unique name for the stream, per call. It is used to stop a stream by name.
            track (Track | Unset): Which audio to stream. Default: Track.BOTH_TRACKS.
            status_callback (str | Unset): Absolute URL that receives stream-started, stream-stopped and stream-error
                events.
            status_callback_method (StatusCallbackMethod | Unset): How StatusCallback is requested. Default:
                StatusCallbackMethod.POST.
            authorization_bearer_token (str | Unset): Sent to the WebSocket server as `Authorization: Bearer <token>`. A
                secret.
            parameter_1_name (str | Unset): Custom parameter name passed to the WebSocket server.
            parameter_1_value (str | Unset): Custom parameter value passed to the WebSocket server.
            parameter_2_name (str | Unset): Custom parameter name passed to the WebSocket server.
            parameter_2_value (str | Unset): Custom parameter value passed to the WebSocket server.
    """

    url: str
    name: str | Unset = UNSET
    track: Track | Unset = Track.BOTH_TRACKS
    status_callback: str | Unset = UNSET
    status_callback_method: StatusCallbackMethod | Unset = StatusCallbackMethod.POST
    authorization_bearer_token: str | Unset = UNSET
    parameter_1_name: str | Unset = UNSET
    parameter_1_value: str | Unset = UNSET
    parameter_2_name: str | Unset = UNSET
    parameter_2_value: str | Unset = UNSET
    additional_properties: dict[str, str] = _attrs_field(init=False, factory=dict)

    WIRE_NAMES: ClassVar[tuple[str, ...]] = (
        "Url",
        "Name",
        "Track",
        "StatusCallback",
        "StatusCallbackMethod",
        "AuthorizationBearerToken",
        "Parameter1.Name",
        "Parameter1.Value",
        "Parameter2.Name",
        "Parameter2.Value",
    )
    """The documented fields' names on the wire, in the order they are sent."""

    NUMBERED_PAIRS: ClassVar[tuple[str, str, int]] = ("Parameter{n}.Name", "Parameter{n}.Value", 99)
    """The fields of numbered pairs, `n` from 1, and how many there may be (x-numbered-pairs)."""

    def set_custom_parameters(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Set pairs 1, 2, … in order: the fields the spec lists as attributes, the others
        as additional properties, so that they go on the wire in order after the documented
        fields. Raises ValueError beyond 99 pairs."""
        key, value, most = self.NUMBERED_PAIRS
        declared = dict(zip(self.WIRE_NAMES, _ATTRIBUTES))
        for n, (first, second) in enumerate(pairs, start=1):
            if n > most:
                raise ValueError(f"at most {most} pairs")
            for field, text in ((key.format(n=n), first), (value.format(n=n), second)):
                if field in declared:
                    setattr(self, declared[field], text)
                else:
                    self.additional_properties[field] = text

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        name = self.name

        track: str | Unset = UNSET
        if not isinstance(self.track, Unset):
            track = self.track.value

        status_callback = self.status_callback

        status_callback_method: str | Unset = UNSET
        if not isinstance(self.status_callback_method, Unset):
            status_callback_method = self.status_callback_method.value

        authorization_bearer_token = self.authorization_bearer_token

        parameter_1_name = self.parameter_1_name

        parameter_1_value = self.parameter_1_value

        parameter_2_name = self.parameter_2_name

        parameter_2_value = self.parameter_2_value

        field_dict: dict[str, Any] = {}
        field_dict.update(
            {
                "Url": url,
            }
        )
        if name is not UNSET:
            field_dict["Name"] = name
        if track is not UNSET:
            field_dict["Track"] = track
        if status_callback is not UNSET:
            field_dict["StatusCallback"] = status_callback
        if status_callback_method is not UNSET:
            field_dict["StatusCallbackMethod"] = status_callback_method
        if authorization_bearer_token is not UNSET:
            field_dict["AuthorizationBearerToken"] = authorization_bearer_token
        if parameter_1_name is not UNSET:
            field_dict["Parameter1.Name"] = parameter_1_name
        if parameter_1_value is not UNSET:
            field_dict["Parameter1.Value"] = parameter_1_value
        if parameter_2_name is not UNSET:
            field_dict["Parameter2.Name"] = parameter_2_name
        if parameter_2_value is not UNSET:
            field_dict["Parameter2.Value"] = parameter_2_value
        for prop_name, prop in self.additional_properties.items():
            field_dict.setdefault(prop_name, prop)  # a documented field keeps its own value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        if not isinstance(src_dict, Mapping):
            raise TypeError(f"{cls.__name__} is read from a JSON object, not {type(src_dict).__name__}")
        d = dict(src_dict)
        url = d.pop("Url")

        name = d.pop("Name", UNSET)

        _track = d.pop("Track", UNSET)
        track: Track | Unset
        if isinstance(_track, Unset):
            track = UNSET
        else:
            track = Track(_track)

        status_callback = d.pop("StatusCallback", UNSET)

        _status_callback_method = d.pop("StatusCallbackMethod", UNSET)
        status_callback_method: StatusCallbackMethod | Unset
        if isinstance(_status_callback_method, Unset):
            status_callback_method = UNSET
        else:
            status_callback_method = StatusCallbackMethod(_status_callback_method)

        authorization_bearer_token = d.pop("AuthorizationBearerToken", UNSET)

        parameter_1_name = d.pop("Parameter1.Name", UNSET)

        parameter_1_value = d.pop("Parameter1.Value", UNSET)

        parameter_2_name = d.pop("Parameter2.Name", UNSET)

        parameter_2_value = d.pop("Parameter2.Value", UNSET)

        create_call_stream_request = cls(
            url=url,
            name=name,
            track=track,
            status_callback=status_callback,
            status_callback_method=status_callback_method,
            authorization_bearer_token=authorization_bearer_token,
            parameter_1_name=parameter_1_name,
            parameter_1_value=parameter_1_value,
            parameter_2_name=parameter_2_name,
            parameter_2_value=parameter_2_value,
        )

        create_call_stream_request.additional_properties = d
        return create_call_stream_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> str:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: str) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
