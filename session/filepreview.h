// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace banata {

/// What the Files tab's preview pane shows for one file: decided by FilesSession from the name,
/// the size and the first bytes; the widgets only draw it.
struct FilePreview
{
    enum class Kind
    {
        Loading,  ///< being fetched
        Text,     ///< text: UTF-8 source, logs, Markdown… (`text`)
        Json,     ///< JSON, pretty-printed into `text` (invalid JSON falls back to Text with `error` set)
        Image,    ///< PNG, JPEG, GIF, WebP, SVG, BMP (`bytes`)
        Pdf,      ///< `bytes`
        Binary,   ///< not text: `bytes` holds the first 4 KiB for a hex view
        TooLarge, ///< over the cap for its kind: "too large to preview — download"
        Folder,   ///< a folder: `size` is its entry count when known
        Error,    ///< could not be read: `error` says why
    };

    QString path;
    Kind kind = Kind::Loading;
    QString mimeType; // e.g. "application/json"
    qint64 size = 0;  // of the whole file
    qint64 mtime = 0;
    QString text;
    QByteArray bytes;
    QString error;
    qint64 limit = 0; // TooLarge: the cap that applied

    /// Caps per kind: what is fetched to preview at most.
    static constexpr qint64 kTextLimit = 4 * 1024 * 1024;
    static constexpr qint64 kImageLimit = 32 * 1024 * 1024;
    static constexpr qint64 kPdfLimit = 64 * 1024 * 1024;
    static constexpr qint64 kBinaryHead = 4096;
};

} // namespace banata

Q_DECLARE_METATYPE(banata::FilePreview)
