// SPDX-License-Identifier: MIT
#include "artifacttokens.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include "server/api/auth.h"

namespace banata::server {

namespace {
constexpr auto kBase64 = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
constexpr qsizetype kMaxTokenBytes = 8192; // keys are at most 1024 characters
} // namespace

ArtifactTokens::ArtifactTokens()
{
    m_secret.resize(32);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(m_secret.data()), 8);
}

QByteArray ArtifactTokens::sign(const QByteArray &payload) const
{
    return QMessageAuthenticationCode::hash(payload, m_secret, QCryptographicHash::Sha256).toBase64(kBase64);
}

QString ArtifactTokens::issue(const QString &sandboxId, const QString &key, qint64 expiresAtMs) const
{
    // The key is encoded: it may contain dots, slashes and any other character.
    const QByteArray payload =
        sandboxId.toUtf8() + '.' + key.toUtf8().toBase64(kBase64) + '.' + QByteArray::number(expiresAtMs);
    return QString::fromLatin1(payload + '.' + sign(payload));
}

std::optional<ArtifactGrant> ArtifactTokens::verify(const QString &token, qint64 nowMs) const
{
    const QByteArray bytes = token.toUtf8();
    if (bytes.size() > kMaxTokenBytes)
        return std::nullopt;
    const QList<QByteArray> parts = bytes.split('.');
    if (parts.size() != 4 || parts[0].isEmpty() || parts[1].isEmpty())
        return std::nullopt;
    const QByteArray payload = parts[0] + '.' + parts[1] + '.' + parts[2];
    if (!constantTimeEquals(sign(payload), parts[3]))
        return std::nullopt;
    bool ok = false;
    const qint64 expiresAt = parts[2].toLongLong(&ok);
    if (!ok || expiresAt <= nowMs)
        return std::nullopt;
    const auto key =
        QByteArray::fromBase64Encoding(parts[1], kBase64 | QByteArray::AbortOnBase64DecodingErrors);
    if (!key)
        return std::nullopt;
    return ArtifactGrant{QString::fromUtf8(parts[0]), QString::fromUtf8(*key)};
}

} // namespace banata::server
