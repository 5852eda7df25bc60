// SPDX-License-Identifier: MIT
#include "files.h"

#include <QStringDecoder>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
struct Encoded
{
    std::string content;
    const char *encoding;
};

Encoded encode(const QByteArray &bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (!decoder.hasError() && !bytes.contains('\0'))
        return {std::string(bytes.constData(), size_t(bytes.size())), "utf-8"};
    const QByteArray b64 = bytes.toBase64();
    return {std::string(b64.constData(), size_t(b64.size())), "base64"};
}

std::optional<QByteArray> decode(JsonReader &r)
{
    const QString content = r.requiredString("content");
    const QString encoding = r.optionalString("encoding").value_or(u"utf-8"_s);
    if (!r.ok())
        return std::nullopt;
    if (encoding == u"utf-8")
        return content.toUtf8();
    if (encoding == u"base64") {
        auto decoded = QByteArray::fromBase64Encoding(content.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            r.fail("content", u"not valid base64"_s);
            return std::nullopt;
        }
        return *decoded;
    }
    r.fail("encoding", u"must be \"utf-8\" or \"base64\""_s);
    return std::nullopt;
}
} // namespace

bool isSha256Hex(QStringView text)
{
    if (text.size() != 64)
        return false;
    return std::all_of(text.begin(), text.end(), [](QChar c) {
        return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
    });
}

QString toString(FileEntry::Type type)
{
    switch (type) {
    case FileEntry::Type::File:
        return u"file"_s;
    case FileEntry::Type::Directory:
        return u"directory"_s;
    case FileEntry::Type::Symlink:
        return u"symlink"_s;
    case FileEntry::Type::Other:
        return u"other"_s;
    }
    return u"other"_s;
}

Parsed<FileEntry> FileEntry::fromJson(const Json &json)
{
    JsonReader r(json, u"entry"_s);
    FileEntry e;
    e.name = r.requiredString("name");
    e.path = r.requiredString("path");
    const QString type = r.requiredString("type");
    e.size = r.optionalInt("size").value_or(0);
    e.mtime = r.optionalInt("mtime").value_or(0);
    e.mode = int(r.optionalInt("mode").value_or(0));
    if (!r.ok())
        return Parsed<FileEntry>::failure(r.error());
    if (type == u"file")
        e.type = Type::File;
    else if (type == u"directory")
        e.type = Type::Directory;
    else if (type == u"symlink")
        e.type = Type::Symlink;
    else if (type == u"other")
        e.type = Type::Other;
    else
        return Parsed<FileEntry>::failure(u"entry.type: unknown type '%1'"_s.arg(type.left(40)));
    if (e.size < 0)
        return Parsed<FileEntry>::failure(u"entry.size: negative"_s);
    return e;
}

Json FileEntry::toJson() const
{
    return Json{{"name", toStd(name)}, {"path", toStd(path)}, {"type", toStd(toString(type))},
                {"size", size},        {"mtime", mtime},      {"mode", mode}};
}

Parsed<FileListing> FileListing::fromJson(const Json &json)
{
    JsonReader r(json, u"listing"_s);
    FileListing listing;
    listing.path = r.requiredString("path");
    const Json *entries = r.optionalArray("entries");
    if (r.ok() && !entries)
        r.fail("entries", u"missing"_s);
    if (!r.ok())
        return Parsed<FileListing>::failure(r.error());
    listing.entries.reserve(qsizetype(entries->size()));
    for (const Json &item : *entries) {
        auto entry = FileEntry::fromJson(item);
        if (!entry)
            return Parsed<FileListing>::failure(u"listing.entries[%1]: "_s.arg(listing.entries.size()) + entry.error());
        listing.entries.append(std::move(entry).value());
    }
    return listing;
}

Json FileListing::toJson() const
{
    Json items = Json::array();
    for (const FileEntry &e : entries)
        items.push_back(e.toJson());
    return Json{{"path", toStd(path)}, {"entries", std::move(items)}};
}

QByteArray FileListing::toJsonBytes() const
{
    QByteArray out;
    out.reserve(64 + entries.size() * (96 + 2 * path.size()));
    out.append("{\"path\":");
    appendJsonString(out, path);
    out.append(",\"entries\":[");
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const FileEntry &e = entries[i];
        if (i)
            out.append(',');
        out.append("{\"name\":");
        appendJsonString(out, e.name);
        out.append(",\"path\":");
        appendJsonString(out, e.path);
        out.append(",\"type\":\"").append(toString(e.type).toLatin1()).append('"');
        out.append(",\"size\":").append(QByteArray::number(e.size));
        out.append(",\"mtime\":").append(QByteArray::number(e.mtime));
        out.append(",\"mode\":").append(QByteArray::number(e.mode)).append('}');
    }
    out.append("]}");
    return out;
}

Parsed<FileContent> FileContent::fromJson(const Json &json)
{
    JsonReader r(json, u"file"_s);
    FileContent file;
    file.path = r.requiredString("path");
    auto bytes = decode(r);
    file.size = r.optionalInt("size").value_or(bytes ? bytes->size() : 0);
    if (!r.ok() || !bytes)
        return Parsed<FileContent>::failure(r.error());
    file.bytes = std::move(*bytes);
    return file;
}

Json FileContent::toJson() const
{
    Encoded e = encode(bytes);
    return Json{{"path", toStd(path)}, {"content", std::move(e.content)}, {"encoding", e.encoding}, {"size", size}};
}

Parsed<FileWriteRequest> FileWriteRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    FileWriteRequest req;
    req.id = r.requiredString("id");
    req.path = r.requiredString("path");
    auto bytes = decode(r);
    if (!r.ok() || !bytes)
        return Parsed<FileWriteRequest>::failure(r.error());
    req.bytes = std::move(*bytes);
    return req;
}

Json FileWriteRequest::toJson() const
{
    Encoded e = encode(bytes);
    return Json{{"id", toStd(id)}, {"path", toStd(path)}, {"content", std::move(e.content)}, {"encoding", e.encoding}};
}

Parsed<FileChecksum> FileChecksum::fromJson(const Json &json)
{
    JsonReader r(json, u"checksum"_s);
    FileChecksum c;
    c.path = r.requiredString("path");
    c.sha256 = r.requiredString("sha256");
    if (r.ok() && !isSha256Hex(c.sha256))
        r.fail("sha256", u"expected 64 lowercase hex digits"_s);
    c.size = r.requiredInt("size");
    if (r.ok() && c.size < 0)
        r.fail("size", u"must not be negative, got %1"_s.arg(c.size));
    // An ETag is ASCII by RFC 9110; anything else could not be compared with a header anyway.
    const QString etag = r.requiredString("etag");
    if (r.ok() && !std::all_of(etag.begin(), etag.end(), [](QChar ch) { return ch.unicode() > 0x20 && ch.unicode() < 0x7f; }))
        r.fail("etag", u"expected printable ASCII"_s);
    if (!r.ok())
        return Parsed<FileChecksum>::failure(r.error());
    c.etag = etag.toLatin1();
    return c;
}

Json FileChecksum::toJson() const
{
    return Json{{"path", toStd(path)},
                {"sha256", toStd(sha256)},
                {"size", size},
                {"etag", std::string(etag.constData(), size_t(etag.size()))}};
}

} // namespace banata
