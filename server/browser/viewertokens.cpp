// SPDX-License-Identifier: MIT
#include "viewertokens.h"

#include "server/api/auth.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace banata::server {

ViewerTokens::ViewerTokens()
{
    m_secret.resize(32);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(m_secret.data()), 8);
}

QByteArray ViewerTokens::sign(const QByteArray &payload) const
{
    return QMessageAuthenticationCode::hash(payload, m_secret, QCryptographicHash::Sha256)
        .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString ViewerTokens::issue(const QString &sandboxId, qint64 expiresAtMs) const
{
    const QByteArray payload = sandboxId.toUtf8() + '.' + QByteArray::number(expiresAtMs);
    return QString::fromLatin1(payload + '.' + sign(payload));
}

std::optional<QString> ViewerTokens::verify(const QString &token, qint64 nowMs) const
{
    const QByteArray bytes = token.toUtf8();
    const qsizetype lastDot = bytes.lastIndexOf('.');
    if (lastDot <= 0 || bytes.size() > 512)
        return std::nullopt;
    const QByteArray payload = bytes.left(lastDot);
    if (!constantTimeEquals(sign(payload), QByteArrayView(bytes).sliced(lastDot + 1)))
        return std::nullopt;
    const qsizetype dot = payload.lastIndexOf('.');
    bool ok = false;
    const qint64 expiresAt = payload.sliced(dot + 1).toLongLong(&ok);
    if (dot <= 0 || !ok || expiresAt <= nowMs)
        return std::nullopt;
    return QString::fromUtf8(payload.left(dot));
}

} // namespace banata::server
