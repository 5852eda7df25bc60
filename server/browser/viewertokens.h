// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace banata::server {

/// Short-lived viewer credentials: "<sandbox id>.<expiry ms>.<HMAC-SHA256>" signed with a secret
/// that exists only in this server's memory, so a token names exactly one sandbox, cannot be
/// forged or extended, and dies with the server.
class ViewerTokens final
{
public:
    ViewerTokens();

    QString issue(const QString &sandboxId, qint64 expiresAtMs) const;
    /// The sandbox a valid, unexpired token is for.
    std::optional<QString> verify(const QString &token, qint64 nowMs) const;

private:
    QByteArray sign(const QByteArray &payload) const;

    QByteArray m_secret;
};

} // namespace banata::server
