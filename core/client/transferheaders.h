// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include <QByteArrayView>
#include <QString>

namespace banata {

// The headers of a download answer the client acts on, parsed apart from DownloadJob so that
// they can be tested and fuzzed without a network.

/// The SHA-256 in a `Repr-Digest` header (RFC 9530, e.g. `sha-256=:<base64>:, sha-512=:…:`) as
/// lowercase hex; empty when the header lists none or only malformed ones. Other algorithms and
/// parameters are ignored.
QString sha256FromReprDigest(QByteArrayView header);

/// What a 206 answer's `Content-Range: bytes first-last/total` says.
struct ContentRange
{
    qint64 first = 0;
    qint64 last = 0;
    qint64 total = -1; // '*': unknown
    friend bool operator==(const ContentRange &, const ContentRange &) = default;
};

/// Parses `bytes 100-199/1000` or `bytes 100-199/*` (RFC 9110 §14.4); nullopt for anything else,
/// including other units, `bytes */1000`, last < first, last >= total and numbers past qint64.
std::optional<ContentRange> parseContentRange(QByteArrayView header);

} // namespace banata
