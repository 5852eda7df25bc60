// SPDX-License-Identifier: MIT
#include "artifact.h"

#include <QUrl>

#include "files.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
// Reads "key" and applies the one rule every side shares, so the server and the client agree.
QString readKey(JsonReader &r)
{
    const QString key = r.requiredString("key");
    if (r.ok()) {
        if (const QString problem = artifactKeyProblem(key); !problem.isEmpty())
            r.fail("key", problem);
    }
    return key;
}

void requireNonEmpty(JsonReader &r, const char *key, const QString &value)
{
    if (r.ok() && value.isEmpty())
        r.fail(key, u"must not be empty"_s);
}

void requireNonNegative(JsonReader &r, const char *key, qint64 value)
{
    if (r.ok() && value < 0)
        r.fail(key, u"must not be negative, got %1"_s.arg(value));
}
} // namespace

QString artifactKeyProblem(QStringView key)
{
    if (key.isEmpty())
        return u"must not be empty"_s;
    if (key.size() > kMaxArtifactKeyLength)
        return u"longer than %1 characters"_s.arg(kMaxArtifactKeyLength);
    if (key.contains(QChar(u'\0')))
        return u"must not contain NUL"_s;
    return {};
}

Parsed<Artifact> Artifact::fromJson(const Json &json)
{
    JsonReader r(json, u"artifact"_s);
    Artifact a;
    a.key = readKey(r);
    a.sandboxId = r.requiredString("sandboxId");
    a.name = r.requiredString("name");
    requireNonEmpty(r, "name", a.name);
    a.contentType = r.optionalString("contentType").value_or(u"application/octet-stream"_s);
    a.sizeBytes = r.requiredInt("sizeBytes");
    requireNonNegative(r, "sizeBytes", a.sizeBytes);
    a.sha256 = r.requiredString("sha256");
    if (r.ok() && !isSha256Hex(a.sha256))
        r.fail("sha256", u"expected 64 lowercase hex digits"_s);
    a.createdAt = r.requiredInt("createdAt");
    a.sourcePath = r.optionalString("sourcePath");
    a.origin = r.optionalString("origin").value_or(u"api"_s);
    if (!r.ok())
        return Parsed<Artifact>::failure(r.error());
    return a;
}

Json Artifact::toJson() const
{
    return Json{
        {"key", toStd(key)},      {"sandboxId", toStd(sandboxId)},
        {"name", toStd(name)},    {"contentType", toStd(contentType)},
        {"sizeBytes", sizeBytes}, {"sha256", toStd(sha256)},
        {"createdAt", createdAt}, {"sourcePath", sourcePath ? Json(toStd(*sourcePath)) : Json(nullptr)},
        {"origin", toStd(origin)}};
}

Parsed<QList<Artifact>> artifactListFromJson(const Json &json)
{
    using Result = Parsed<QList<Artifact>>;
    JsonReader r(json, u"artifacts"_s);
    const Json *data = r.optionalArray("data");
    if (r.ok() && !data)
        r.fail("data", u"missing"_s);
    if (!r.ok())
        return Result::failure(r.error());
    QList<Artifact> out;
    out.reserve(qsizetype(data->size()));
    for (const Json &item : *data) {
        auto a = Artifact::fromJson(item);
        if (!a)
            return Result::failure(u"artifacts.data[%1]: "_s.arg(out.size()) + a.error());
        out.append(std::move(a).value());
    }
    return out;
}

Json artifactListToJson(const QList<Artifact> &artifacts)
{
    Json items = Json::array();
    for (const Artifact &a : artifacts)
        items.push_back(a.toJson());
    return Json{{"data", std::move(items)}};
}

Parsed<ArtifactUrl> ArtifactUrl::fromJson(const Json &json)
{
    JsonReader r(json, u"artifactUrl"_s);
    ArtifactUrl u;
    u.key = readKey(r);
    u.url = r.requiredString("url");
    if (r.ok()) {
        // The client sends this URL as is, without the API key: it must be absolute http(s).
        const QUrl parsed(u.url, QUrl::StrictMode);
        const QString scheme = parsed.scheme();
        if (!parsed.isValid() || parsed.isRelative() || (scheme != u"http" && scheme != u"https"))
            r.fail("url", u"expected an absolute http(s) URL"_s);
    }
    u.expiresAt = r.requiredInt("expiresAt");
    if (!r.ok())
        return Parsed<ArtifactUrl>::failure(r.error());
    return u;
}

Json ArtifactUrl::toJson() const
{
    return Json{{"key", toStd(key)}, {"url", toStd(url)}, {"expiresAt", expiresAt}};
}

Parsed<PublishArtifactRequest> PublishArtifactRequest::fromJson(const Json &json)
{
    JsonReader r(json, u"body"_s);
    PublishArtifactRequest req;
    req.id = r.requiredString("id");
    requireNonEmpty(r, "id", req.id);
    req.path = r.requiredString("path");
    requireNonEmpty(r, "path", req.path);
    req.key = r.optionalString("key");
    if (r.ok() && req.key) {
        if (const QString problem = artifactKeyProblem(*req.key); !problem.isEmpty())
            r.fail("key", problem);
    }
    if (!r.ok())
        return Parsed<PublishArtifactRequest>::failure(r.error());
    return req;
}

Json PublishArtifactRequest::toJson() const
{
    Json body{{"id", toStd(id)}, {"path", toStd(path)}};
    if (key)
        body["key"] = toStd(*key);
    return body;
}

} // namespace banata
