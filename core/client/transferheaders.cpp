// SPDX-License-Identifier: MIT
#include "core/client/transferheaders.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
// One member of a structured-field dictionary: `key=:base64:` plus optional `;parameters`.
QString sha256FromMember(QByteArrayView member)
{
    const qsizetype semicolon = member.indexOf(';');
    if (semicolon >= 0)
        member = member.first(semicolon);
    const qsizetype equals = member.indexOf('=');
    if (equals <= 0)
        return {};
    const QByteArray key = member.first(equals).trimmed().toByteArray().toLower();
    const QByteArray value = member.sliced(equals + 1).trimmed().toByteArray();
    if (key != "sha-256" || value.size() < 2 || !value.startsWith(':') || !value.endsWith(':'))
        return {};
    auto decoded = QByteArray::fromBase64Encoding(value.mid(1, value.size() - 2),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32)
        return {};
    return QString::fromLatin1(decoded.decoded.toHex());
}
} // namespace

QString sha256FromReprDigest(QByteArrayView header)
{
    // Base64 has no ',' and a byte sequence no quotes, so members split on ','. Several headers
    // arrive joined with ", ", which is the same dictionary syntax.
    QString found;
    for (QByteArrayView rest = header; !rest.isEmpty();) {
        const qsizetype comma = rest.indexOf(',');
        const QByteArrayView member = comma < 0 ? rest : rest.first(comma);
        rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
        if (QString hex = sha256FromMember(member); !hex.isEmpty())
            found = std::move(hex); // as in a dictionary, the last one wins
    }
    return found;
}

std::optional<ContentRange> parseContentRange(QByteArrayView header)
{
    static const QRegularExpression pattern(u"^bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)$"_s);
    const auto match = pattern.match(QString::fromLatin1(header.trimmed()));
    if (!match.hasMatch())
        return std::nullopt;
    // A position past qint64 is not a file we could hold; toLongLong() would make it 0.
    bool firstOk = false;
    bool lastOk = false;
    bool totalOk = true;
    ContentRange range;
    range.first = match.capturedView(1).toLongLong(&firstOk);
    const qint64 last = match.capturedView(2).toLongLong(&lastOk);
    if (match.capturedView(3) != u"*")
        range.total = match.capturedView(3).toLongLong(&totalOk);
    if (!firstOk || !lastOk || !totalOk)
        return std::nullopt;
    if (last < range.first || (range.total >= 0 && last >= range.total))
        return std::nullopt;
    range.last = last;
    return range;
}

} // namespace banata
