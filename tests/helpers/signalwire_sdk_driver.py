"""Runs inside the `signalwire` 2.x SDK's own virtual environment (tests/helpers/legacy_sdk.py),
never in the suite's: it imports that SDK and its twilio 6.54, and nothing of this repository.

It reads what to do as JSON on stdin (the Space URL, credentials, the CA file to trust, and
the ids of a live call, a live conference, an ended conference and an unknown call), drives
the four stream operations through the SDK's own request path, and writes what the SDK
returned or raised as JSON on stdout. The SDK has no streams resource: like any of its
resources, the calls go through its twilio base's `Version.create` / `Version.update`
(`client.api.v2010`), which build `https://{space}/2010-04-01/….json`, send the form and map
an error status to `TwilioRestException`.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from signalwire.rest import Client
from twilio.base.exceptions import TwilioRestException


def _error(call: Any) -> dict[str, Any]:
    try:
        call()
    except TwilioRestException as error:
        return {"status": error.status, "code": error.code, "msg": error.msg, "uri": error.uri}
    return {"status": None}


def main() -> None:
    given = json.load(sys.stdin)
    client = Client(given["project"], given["token"], signalwire_space_url=given["space"])
    client.http_client.session.verify = given["ca_file"]
    api = client.api.v2010
    account = given["project"]
    url = given["url"]

    def streams(kind: str, parent: str) -> str:
        return f"/Accounts/{account}/{kind}/{parent}/Streams"

    calls = streams("Calls", given["call"])
    conferences = streams("Conferences", given["conference"])
    stopped = {"Status": "stopped"}
    out: dict[str, Any] = {"base_url": client.api.base_url}
    out["create"] = api.create(
        "POST",
        calls + ".json",
        data={
            "Url": url,
            "Name": "transcriber",
            "Track": "inbound_track",
            "StatusCallback": "https://hooks.example.com/stream?tenant=7",
            "StatusCallbackMethod": "GET",
            "Parameter1.Name": "customer",
            "Parameter1.Value": "42",
            "Parameter2.Name": "lang",
            "Parameter2.Value": "en-US",
        },
    )
    out["stop_by_name"] = api.update("POST", calls + "/transcriber.json", data=stopped)
    out["create_unnamed"] = api.create("POST", calls + ".json", data={"Url": url})
    sid = out["create_unnamed"]["sid"]
    out["stop_by_sid"] = api.update("POST", f"{calls}/{sid}.json", data=stopped)
    out["conference_create"] = api.create(
        "POST",
        conferences + ".json",
        data={"Url": url, "StreamCodec": "L16@16000h", "StreamRealTime": "true"},
    )
    sid = out["conference_create"]["sid"]
    out["conference_stop"] = api.update("POST", f"{conferences}/{sid}.json", data=stopped)
    unknown = streams("Calls", given["unknown_call"])
    out["not_found"] = _error(lambda: api.create("POST", unknown + ".json", data={"Url": url}))
    ended = streams("Conferences", given["ended_conference"])
    out["unprocessable"] = _error(lambda: api.create("POST", ended + ".json", data={"Url": url}))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
