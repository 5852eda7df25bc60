// SPDX-License-Identifier: MIT
#include "core/downloads/safefilename.h"

#include <array>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr qsizetype kMaxNameBytes = 255;     // NAME_MAX of every Linux file system
constexpr qsizetype kMaxExtensionChars = 16; // longer "extensions" are part of the name

// Characters that must not reach a file name: C0/C1 controls, DEL, the replacement character
// (invalid UTF-8 from the server), a byte-order mark, and the bidirectional controls that make
// "report<U+202E>fdp.exe" show as "reportexe.pdf".
bool isUnsafe(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == u'\\' || c == u'/' || c == 0xFFFD || c == 0xFEFF ||
           c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// Leading dots hide a file; trailing dots and spaces vanish on some systems and mislead people.
bool isTrimmed(QChar c)
{
    return c == u'.' || c.isSpace();
}

QString trimmedName(const QString &name)
{
    qsizetype first = 0;
    qsizetype last = name.size();
    while (first < last && isTrimmed(name.at(first)))
        ++first;
    while (last > first && isTrimmed(name.at(last - 1)))
        --last;
    return name.mid(first, last - first);
}

// Windows device names, which no file may be called, with any extension.
bool isReservedDeviceName(const QString &name)
{
    static const std::array<QLatin1StringView, 6> kNames = {"CON"_L1, "PRN"_L1,    "AUX"_L1,
                                                            "NUL"_L1, "CONIN$"_L1, "CONOUT$"_L1};
    QStringView base = QStringView(name);
    if (const qsizetype dot = base.indexOf(u'.'); dot >= 0)
        base = base.first(dot);
    while (!base.isEmpty() && base.back().isSpace())
        base.chop(1);
    for (const QLatin1StringView reserved : kNames) {
        if (base.compare(reserved, Qt::CaseInsensitive) == 0)
            return true;
    }
    if (base.size() == 4 && base.at(3) >= u'1' && base.at(3) <= u'9')
        return base.first(3).compare("COM"_L1, Qt::CaseInsensitive) == 0 ||
               base.first(3).compare("LPT"_L1, Qt::CaseInsensitive) == 0;
    return false;
}

// Where the extension starts ("report|.pdf", "data|.tar.gz"), or name.size() when there is none.
qsizetype extensionStart(QStringView name)
{
    const qsizetype dot = name.lastIndexOf(u'.');
    if (dot <= 0 || dot == name.size() - 1)
        return name.size();
    const QStringView extension = name.sliced(dot + 1);
    if (extension.size() > kMaxExtensionChars || extension.contains(u' '))
        return name.size();
    if (dot > 4 && name.sliced(dot - 4, 4).compare(u".tar", Qt::CaseInsensitive) == 0)
        return dot - 4;
    return dot;
}

qsizetype utf8Size(QStringView text)
{
    return text.toUtf8().size();
}

// The longest prefix of \a text that fits in \a maxBytes of UTF-8, never splitting a surrogate pair.
QStringView utf8Prefix(QStringView text, qsizetype maxBytes)
{
    qsizetype bytes = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        const bool pair =
            text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate();
        const char32_t c = pair ? QChar::surrogateToUcs4(text.at(i), text.at(i + 1)) : text.at(i).unicode();
        const qsizetype size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
        if (bytes + size > maxBytes)
            break;
        bytes += size;
        i += pair ? 2 : 1;
    }
    return text.first(i);
}

// \a stem + \a suffix within NAME_MAX, cutting the stem (and the dots and spaces its cut exposes).
QString fitted(QStringView stem, QStringView suffix)
{
    const qsizetype room = kMaxNameBytes - utf8Size(suffix);
    if (utf8Size(stem) <= room)
        return stem.toString() + suffix;
    QStringView cut = utf8Prefix(stem, room);
    while (!cut.isEmpty() && isTrimmed(cut.back()))
        cut.chop(1);
    if (cut.isEmpty())
        cut = u"download";
    return cut.toString() + suffix;
}
} // namespace

QString safeFileName(QStringView remoteName)
{
    QStringView last = remoteName;
    while (last.endsWith(u'/'))
        last.chop(1);
    if (const qsizetype slash = last.lastIndexOf(u'/'); slash >= 0)
        last = last.sliced(slash + 1);

    QString cleaned;
    cleaned.reserve(last.size());
    for (qsizetype i = 0; i < last.size(); ++i) {
        const QChar c = last.at(i);
        if (c.isHighSurrogate() && i + 1 < last.size() && last.at(i + 1).isLowSurrogate()) {
            cleaned.append(c);
            cleaned.append(last.at(++i));
        } else if (c.isSurrogate() || isUnsafe(c.unicode())) {
            cleaned.append(u'_'); // a lone surrogate has no UTF-8 form
        } else {
            cleaned.append(c);
        }
    }
    QString name = trimmedName(cleaned);
    if (name.isEmpty())
        name = u"download"_s;
    if (isReservedDeviceName(name))
        name.prepend(u'_');
    if (utf8Size(name) <= kMaxNameBytes)
        return name;
    const qsizetype extension = extensionStart(name);
    return fitted(QStringView(name).first(extension), QStringView(name).sliced(extension));
}

QString numberedFileName(const QString &name, int number)
{
    const qsizetype extension = extensionStart(name);
    const QString suffix = u" (%1)"_s.arg(number) + QStringView(name).sliced(extension);
    return fitted(QStringView(name).first(extension), suffix);
}

} // namespace banata
