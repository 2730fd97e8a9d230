from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.status_callback_method import StatusCallbackMethod
from ..models.stream_codec import StreamCodec
from ..models.track import Track
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateConferenceStreamRequest")

# The attributes of the documented fields, in the order of CreateConferenceStreamRequest.WIRE_NAMES.
_ATTRIBUTES: tuple[str, ...] = (
    "url",
    "name",
    "track",
    "status_callback",
    "status_callback_method",
    "authorization_bearer_token",
    "stream_codec",
    "stream_real_time",
    "parameter_1_name",
    "parameter_1_value",
    "parameter_2_name",
    "parameter_2_value",
)


@_attrs_define
class CreateConferenceStreamRequest:
    """As CreateCallStreamRequest, plus the codec and real-time pacing.

    Attributes:
        url (str): The wss:// URL of the WebSocket server that receives the audio.
        name (str | Unset): Unique name for the stream, per conference.
        track (Track | Unset): Which audio to stream. Default: Track.BOTH_TRACKS.
        status_callback (str | Unset): Absolute URL that receives stream events.
        status_callback_method (StatusCallbackMethod | Unset): How StatusCallback is requested. Default:
            StatusCallbackMethod.POST.
        authorization_bearer_token (str | Unset): Sent to the WebSocket server as `Authorization: Bearer <token>`. A
            secret.
        stream_codec (StreamCodec | Unset): The audio codec of a conference stream.
        stream_real_time (bool | Unset): Whether audio is paced in real time.
        parameter_1_name (str | Unset):
        parameter_1_value (str | Unset):
        parameter_2_name (str | Unset):
        parameter_2_value (str | Unset):
    """

    url: str
    name: str | Unset = UNSET
    track: Track | Unset = Track.BOTH_TRACKS
    status_callback: str | Unset = UNSET
    status_callback_method: StatusCallbackMethod | Unset = StatusCallbackMethod.POST
    authorization_bearer_token: str | Unset = UNSET
    stream_codec: StreamCodec | Unset = UNSET
    stream_real_time: bool | Unset = UNSET
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
        "StreamCodec",
        "StreamRealTime",
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

        stream_codec: str | Unset = UNSET
        if not isinstance(self.stream_codec, Unset):
            stream_codec = self.stream_codec.value

        stream_real_time = self.stream_real_time

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
        if stream_codec is not UNSET:
            field_dict["StreamCodec"] = stream_codec
        if stream_real_time is not UNSET:
            field_dict["StreamRealTime"] = stream_real_time
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

        _stream_codec = d.pop("StreamCodec", UNSET)
        stream_codec: StreamCodec | Unset
        if isinstance(_stream_codec, Unset):
            stream_codec = UNSET
        else:
            stream_codec = StreamCodec(_stream_codec)

        stream_real_time = d.pop("StreamRealTime", UNSET)

        parameter_1_name = d.pop("Parameter1.Name", UNSET)

        parameter_1_value = d.pop("Parameter1.Value", UNSET)

        parameter_2_name = d.pop("Parameter2.Name", UNSET)

        parameter_2_value = d.pop("Parameter2.Value", UNSET)

        create_conference_stream_request = cls(
            url=url,
            name=name,
            track=track,
            status_callback=status_callback,
            status_callback_method=status_callback_method,
            authorization_bearer_token=authorization_bearer_token,
            stream_codec=stream_codec,
            stream_real_time=stream_real_time,
            parameter_1_name=parameter_1_name,
            parameter_1_value=parameter_1_value,
            parameter_2_name=parameter_2_name,
            parameter_2_value=parameter_2_value,
        )

        create_conference_stream_request.additional_properties = d
        return create_conference_stream_request

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
