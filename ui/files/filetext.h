// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

/// Path and byte texts the Files tab's widgets share (sizes and times: models/modeltext.h, so
/// they read as in the tree).
namespace banata::filetext {

/// The last path component of \a path ("/workspace/out/report.pdf" → "report.pdf").
QString fileName(const QString &path);
/// The folder holding \a path ("/workspace/out/report.pdf" → "/workspace/out").
QString parentPath(const QString &path);
/// A classic hex dump of \a bytes: offset, 16 bytes in hex, and their printable ASCII.
QString hexDump(const QByteArray &bytes);

} // namespace banata::filetext
