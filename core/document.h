// SPDX-License-Identifier: MIT
#pragma once

#include "artifact.h"

namespace banata {

/// Body of `POST /v1/sandboxes/documents/convert` (headless LibreOffice, `documents` capability).
struct ConvertDocumentRequest
{
    QString id;   // sandbox
    QString path; // workspace file: .md, .markdown, .html, .htm, .odt, .docx, .doc, .rtf, .txt
    QString format = QStringLiteral("pdf"); // only "pdf" for now
    std::optional<QString> outputPath;      // default: next to the source, extension replaced

    static Parsed<ConvertDocumentRequest> fromJson(const Json &json);
    Json toJson() const;
};

/// The "document conversion result" (banata-api.md §7): what a conversion produced. The PDF is
/// written to the workspace (outputPath) and kept as an artifact.
struct DocumentConversion
{
    QString id; // of this conversion
    QString sandboxId;
    QString sourcePath;
    QString outputPath;
    QString format;
    qint64 sizeBytes = 0;
    qint64 durationMs = 0;
    qint64 createdAt = 0;
    Artifact artifact;

    static Parsed<DocumentConversion> fromJson(const Json &json);
    Json toJson() const;
    friend bool operator==(const DocumentConversion &, const DocumentConversion &) = default;
};

} // namespace banata
