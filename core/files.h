// SPDX-License-Identifier: MIT
#pragma once

#include "json.h"

#include <QByteArray>
#include <QList>

namespace banata {

/// One entry of `GET /v1/sandboxes/fs/list`.
struct FileEntry
{
    enum class Type { File, Directory, Symlink, Other };

    QString name;
    QString path; // absolute inside the sandbox, e.g. /workspace/out/report.json
    Type type = Type::File;
    qint64 size = 0;
    qint64 mtime = 0; // epoch ms
    int mode = 0;     // permission bits, e.g. 0644

    static Parsed<FileEntry> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const FileEntry &, const FileEntry &) = default;
};

QString toString(FileEntry::Type type);

struct FileListing
{
    QString path;
    QList<FileEntry> entries;

    static Parsed<FileListing> fromJson(const Json &json);
    Json toJson() const;
    /// The same JSON as dumpJson(toJson()), written directly: a 100,000-entry listing would
    /// otherwise build a tree of a few hundred bytes per entry first.
    QByteArray toJsonBytes() const;
};

/// `GET /v1/sandboxes/fs/read`: UTF-8 text as is, anything else base64.
struct FileContent
{
    QString path;
    QByteArray bytes;
    qint64 size = 0;

    static Parsed<FileContent> fromJson(const Json &json);
    Json toJson() const; // picks "utf-8" or "base64" by content
};

/// Body of `POST /v1/sandboxes/fs/write`.
struct FileWriteRequest
{
    QString id;
    QString path;
    QByteArray bytes;

    static Parsed<FileWriteRequest> fromJson(const Json &json); // content + optional encoding
    Json toJson() const;
};

/// True when \a text is a SHA-256 digest as the API writes it: 64 lowercase hex digits.
bool isSha256Hex(QStringView text);

/// `GET /v1/sandboxes/fs/checksum?id=&path=`: the SHA-256 of a file's content as it is now, with
/// the ETag a download of the same content carries (so a client can tell it verified those bytes).
struct FileChecksum
{
    QString path;
    QString sha256; // lowercase hex
    qint64 size = 0;
    QByteArray etag; // quotes included, as in the ETag header

    static Parsed<FileChecksum> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const FileChecksum &, const FileChecksum &) = default;
};

} // namespace banata
