// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QList>

namespace banata {

/// One message of the `/v1/events` stream: a state change with its sequence number.
/// `seq` grows by one per event on a server; a client resumes with `since=<last seq seen>`.
struct Event
{
    qint64 seq = 0;
    QString type;      // "sandbox.ready", "sandbox.checkpoint.created", "stream.reset", ...
    QString sandboxId; // empty for server-wide events
    qint64 timestamp = 0;
    Json data = Json::object();

    static Parsed<Event> fromJson(const Json &json);
    Json toJson() const;
};

/// One page of `GET /v1/sandboxes/events?id=` (banata-local extension): a sandbox's retained
/// events, newest first. `nextBefore` is the `before=` of the next (older) page; nullopt at the end.
struct EventPage
{
    QList<Event> data;
    std::optional<qint64> nextBefore;

    static Parsed<EventPage> fromJson(const Json &json);
    Json toJson() const;
};

/// Sent first when `since` is older than what the server keeps: the client must refetch state.
inline constexpr char kStreamResetEvent[] = "stream.reset";

} // namespace banata
