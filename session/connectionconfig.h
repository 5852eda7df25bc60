// SPDX-License-Identifier: MIT
#pragma once

#include <QString>
#include <QUrl>

namespace banata {

/// A saved connection: where it points and what to call it. The API key is not here: it lives
/// in the keychain (Remote) or in banata-local's own data directory (Local), never in settings.
struct ConnectionConfig
{
    enum class Kind {
        Local,  ///< the embedded banata-local on loopback (attached to, or started by, the app)
        Remote, ///< any Banata endpoint, e.g. the cloud, with a key from the keychain
    };

    QString id;   ///< stable; "local" for the embedded server, a UUID otherwise; the keychain account
    QString name; ///< shown in the Connection column
    QUrl baseUrl;
    Kind kind = Kind::Remote;

    friend bool operator==(const ConnectionConfig &, const ConnectionConfig &) = default;
};

} // namespace banata
