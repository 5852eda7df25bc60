// SPDX-License-Identifier: MIT
#include "document.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
void requireNonEmpty(JsonReader &r, const char *key, const QString &value)
{
    if (r.ok() && value.isEmpty())
        r.fail(key, u"must not be empty"_s);
}
} // namespace

Parsed<ConvertDocumentRequest> ConvertDocumentRequest::fromJson(const Json &json)
{
    // The server parses request bodies with this: every message names the field to fix.
    JsonReader r(json, u"body"_s);
    ConvertDocumentRequest req;
    req.id = r.requiredString("id");
    requireNonEmpty(r, "id", req.id);
    req.path = r.requiredString("path");
    requireNonEmpty(r, "path", req.path);
    req.format = r.optionalString("format").value_or(u"pdf"_s);
    if (r.ok() && req.format != u"pdf")
        r.fail("format", u"unsupported format '%1' (only \"pdf\")"_s.arg(req.format.left(40)));
    req.outputPath = r.optionalString("outputPath");
    if (req.outputPath)
        requireNonEmpty(r, "outputPath", *req.outputPath);
    if (!r.ok())
        return Parsed<ConvertDocumentRequest>::failure(r.error());
    return req;
}

Json ConvertDocumentRequest::toJson() const
{
    Json body{{"id", toStd(id)}, {"path", toStd(path)}, {"format", toStd(format)}};
    if (outputPath)
        body["outputPath"] = toStd(*outputPath);
    return body;
}

Parsed<DocumentConversion> DocumentConversion::fromJson(const Json &json)
{
    JsonReader r(json, u"conversion"_s);
    DocumentConversion c;
    c.id = r.requiredString("id");
    c.sandboxId = r.requiredString("sandboxId");
    c.sourcePath = r.requiredString("sourcePath");
    c.outputPath = r.requiredString("outputPath");
    c.format = r.requiredString("format");
    c.sizeBytes = r.requiredInt("sizeBytes");
    if (r.ok() && c.sizeBytes < 0)
        r.fail("sizeBytes", u"must not be negative, got %1"_s.arg(c.sizeBytes));
    c.durationMs = r.optionalInt("durationMs").value_or(0);
    if (r.ok() && c.durationMs < 0)
        r.fail("durationMs", u"must not be negative, got %1"_s.arg(c.durationMs));
    c.createdAt = r.requiredInt("createdAt");
    const Json *artifact = r.optionalObject("artifact");
    if (r.ok() && !artifact)
        r.fail("artifact", u"missing"_s);
    if (!r.ok())
        return Parsed<DocumentConversion>::failure(r.error());
    auto parsed = Artifact::fromJson(*artifact);
    if (!parsed)
        return Parsed<DocumentConversion>::failure(u"conversion.artifact: "_s + parsed.error());
    c.artifact = std::move(parsed).value();
    return c;
}

Json DocumentConversion::toJson() const
{
    return Json{{"id", toStd(id)},
                {"sandboxId", toStd(sandboxId)},
                {"sourcePath", toStd(sourcePath)},
                {"outputPath", toStd(outputPath)},
                {"format", toStd(format)},
                {"sizeBytes", sizeBytes},
                {"durationMs", durationMs},
                {"createdAt", createdAt},
                {"artifact", artifact.toJson()}};
}

} // namespace banata
