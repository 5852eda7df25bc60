// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace banata::server {

/// One byte range of a representation of known size, as asked for by a Range header.
struct ByteRange
{
    qint64 first = 0; // inclusive
    qint64 last = -1; // inclusive
    /// False when the header was well-formed but selects nothing (answer 416).
    bool satisfiable = true;

    qint64 length() const { return satisfiable ? last - first + 1 : 0; }
    /// Content-Range value: "bytes first-last/size", or "bytes */size" when unsatisfiable.
    QByteArray contentRange(qint64 size) const;
    static ByteRange unsatisfiable() { return ByteRange{0, -1, false}; }
    friend bool operator==(const ByteRange &, const ByteRange &) = default;
};

/// Parses a Range header for a representation of \a size bytes: `bytes=N-`, `bytes=N-M`, `bytes=-N`.
///
/// Returns nullopt when the header should be ignored and the whole body sent with 200: empty,
/// malformed, another unit, or several ranges. Returns a ByteRange with satisfiable == false when
/// no byte of the representation is selected (answer 416 with ByteRange::contentRange()).
std::optional<ByteRange> parseRangeHeader(QByteArrayView header, qint64 size);

} // namespace banata::server
