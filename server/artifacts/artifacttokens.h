// SPDX-License-Identifier: MIT
#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

namespace banata::server {

/// Which artifact a valid download token opens.
struct ArtifactGrant
{
    QString sandboxId;
    QString key;
};

/// Short-lived artifact download credentials, made like viewer tokens (see viewertokens.h):
/// "<sandbox id>.<base64url key>.<expiry ms>.<HMAC-SHA256>" signed with a secret that exists only
/// in this server's memory and differs from the viewer's, so a token opens exactly one artifact
/// key of one sandbox, cannot be forged, extended or reused as a viewer token, and dies with the
/// server.
class ArtifactTokens final
{
public:
    ArtifactTokens();

    QString issue(const QString &sandboxId, const QString &key, qint64 expiresAtMs) const;
    /// What a valid, unexpired token grants.
    std::optional<ArtifactGrant> verify(const QString &token, qint64 nowMs) const;

private:
    QByteArray sign(const QByteArray &payload) const;

    QByteArray m_secret;
};

} // namespace banata::server
