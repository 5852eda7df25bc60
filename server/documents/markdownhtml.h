// SPDX-License-Identifier: MIT
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace banata::server {

/// Renders CommonMark \a markdown (UTF-8; invalid bytes become U+FFFD) as a complete UTF-8 HTML
/// page titled \a title, with a small readable stylesheet, for LibreOffice to turn into a PDF.
/// Raw HTML in the source is dropped and unsafe link schemes (javascript:, data: other than
/// images) are removed: cmark's safe mode.
QByteArray markdownToHtml(QByteArrayView markdown, const QString &title);

} // namespace banata::server
