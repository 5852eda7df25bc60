// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <optional>
#include <utility>

namespace banata::server {

/// One parsed HTTP request as route handlers see it: decoded target, lower-cased headers and, for
/// buffered routes, the whole body.
struct HttpRequest
{
    QByteArray method;                                // upper-case: "GET", "POST", "PUT", "DELETE", "HEAD"
    QString path;                                     // percent-decoded, e.g. "/v1/sandboxes/fs/list"
    QUrlQuery query;                                  // read values with QUrl::FullyDecoded; '+' stays '+'
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased, in arrival order
    QByteArray body;                                  // buffered routes only
    QHostAddress peerAddress;

    /// The first header called \a lowerName, or empty when there is none.
    QByteArray header(QByteArrayView lowerName) const;
    /// The first query value for \a key, fully decoded; empty when absent.
    QString queryValue(const QString &key) const;
};

/// Percent-decodes \a encoded; nullopt for a malformed escape or a decoded NUL byte.
std::optional<QByteArray> percentDecode(QByteArrayView encoded);

} // namespace banata::server
