// SPDX-License-Identifier: MIT
#include "filetext.h"

#include <QString>

using namespace Qt::StringLiterals;

namespace banata::filetext {

QString fileName(const QString &path)
{
    QStringView view(path);
    while (view.size() > 1 && view.endsWith(u'/'))
        view.chop(1);
    const qsizetype slash = view.lastIndexOf(u'/');
    return (slash < 0 ? view : view.mid(slash + 1)).toString();
}

QString parentPath(const QString &path)
{
    QStringView view(path);
    while (view.size() > 1 && view.endsWith(u'/'))
        view.chop(1);
    const qsizetype slash = view.lastIndexOf(u'/');
    if (slash < 0)
        return QString();
    return slash == 0 ? u"/"_s : view.left(slash).toString();
}

QString hexDump(const QByteArray &bytes)
{
    constexpr qsizetype kPerLine = 16;
    QString out;
    out.reserve(bytes.size() / kPerLine * 80 + 80);
    for (qsizetype offset = 0; offset < bytes.size(); offset += kPerLine) {
        out += u"%1  "_s.arg(offset, 8, 16, QLatin1Char('0'));
        QString ascii;
        for (qsizetype i = 0; i < kPerLine; ++i) {
            if (offset + i < bytes.size()) {
                const auto byte = static_cast<unsigned char>(bytes.at(offset + i));
                out += u"%1 "_s.arg(uint(byte), 2, 16, QLatin1Char('0'));
                ascii += byte >= 0x20 && byte < 0x7f ? QChar(char16_t(byte)) : QChar(u'.');
            } else {
                out += u"   "_s;
            }
            if (i == 7)
                out += u' ';
        }
        out += u' ' + ascii + u'\n';
    }
    return out;
}

} // namespace banata::filetext
