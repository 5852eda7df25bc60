// SPDX-License-Identifier: MIT
#include "markdownhtml.h"

#include <cmark.h>
#include <cstdlib>
#include <memory>

namespace banata::server {

namespace {
// What LibreOffice's HTML import honours: fonts, sizes, colours, margins, simple borders.
constexpr char kStyle[] = R"css(
body { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 11pt; line-height: 1.45; color: #1f2328; }
h1, h2, h3, h4, h5, h6 { font-family: "DejaVu Sans", "Liberation Sans", sans-serif; margin-left: 0; }
h1 { font-size: 20pt; margin-top: 0; margin-bottom: 10pt; }
h2 { font-size: 16pt; margin-top: 16pt; margin-bottom: 8pt; }
h3 { font-size: 13pt; margin-top: 14pt; margin-bottom: 6pt; }
h4, h5, h6 { font-size: 11pt; margin-top: 12pt; margin-bottom: 6pt; }
p, ul, ol, blockquote, pre, table { margin: 0 0 8pt 0; }
a { color: #0969da; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 9.5pt; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 6pt; }
blockquote { color: #57606a; border-left: 3px solid #d0d7de; padding-left: 8pt; margin-left: 0; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d0d7de; padding: 3pt 6pt; }
th { background: #f6f8fa; }
hr { border: 0; border-top: 1px solid #d0d7de; }
)css";

QByteArray escapeHtml(const QString &text)
{
    return text.toHtmlEscaped().toUtf8();
}
} // namespace

QByteArray markdownToHtml(QByteArrayView markdown, const QString &title)
{
    // CMARK_OPT_DEFAULT is safe mode since cmark 0.29; UNSAFE is never set.
    const std::unique_ptr<char, decltype(&std::free)> body(
        cmark_markdown_to_html(markdown.data(), size_t(markdown.size()),
                               CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_SMART),
        &std::free);
    QByteArray html;
    html.reserve(markdown.size() * 2 + 2048);
    html += "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n<title>";
    html += escapeHtml(title);
    html += "</title>\n<style>";
    html += kStyle;
    html += "</style>\n</head>\n<body>\n";
    if (body)
        html += body.get();
    html += "</body>\n</html>\n";
    return html;
}

} // namespace banata::server
