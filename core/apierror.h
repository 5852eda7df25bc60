// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace banata {

/// An error from the Banata API or from getting to it, as data the UI can show.
struct ApiError
{
    enum class Kind {
        Http,     // the server answered with an error status and (usually) {error, code}
        Network,  // connection refused, reset, DNS, TLS
        Timeout,  // no answer in time
        Protocol, // an answer we could not understand (malformed JSON, wrong types)
        Aborted,  // cancelled by the caller
    };

    Kind kind = Kind::Http;
    int httpStatus = 0;
    QString message; // the server's "error" text, or ours
    QString code;    // the server's "code", e.g. SANDBOX_NOT_READY; empty when none
    std::optional<int> retryAfterSeconds;

    /// Builds the error from an error response; a body that is not Banata's shape still gives a
    /// useful message ("HTTP 502").
    static ApiError fromResponse(int httpStatus, const QByteArray &body, const QByteArray &retryAfterHeader);
    static ApiError network(const QString &message) { return {Kind::Network, 0, message, {}, {}}; }
    static ApiError protocol(const QString &message) { return {Kind::Protocol, 0, message, {}, {}}; }

    /// A transient failure that a retry may fix (429, 502/503/504, network, timeout).
    bool isTransient() const;
    /// One line for the operator, e.g. "Sandbox is not ready (409)".
    QString displayText() const;
    Json toJson() const; // {"error": ..., "code": ...}: the body the server sends
};

/// Parses Retry-After (delta-seconds or an HTTP date); nullopt when absent or unparseable.
std::optional<int> parseRetryAfter(const QByteArray &header);

} // namespace banata
