// SPDX-License-Identifier: MIT
#include "session/previewloader.h"

#include <nlohmann/json.hpp>

#include <QBuffer>
#include <QImageReader>
#include <QLoggingCategory>
#include <QMimeDatabase>
#include <QUrl>

#include "core/client/apiclient.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcPreview, "banata.session.preview")

namespace banata {

/**
 * The memory a preview may take: refuses bytes past its cap, which ends the download (the job
 * reports a device error); once the first 4 KiB look binary, the cap drops to them.
 */
class CappedBuffer final : public QBuffer
{
public:
    CappedBuffer(qint64 cap, bool sniff)
        : m_cap(cap)
        , m_sniff(sniff)
    {
        open(QIODevice::ReadWrite);
    }

    bool overCap() const { return m_overCap; }

protected:
    qint64 writeData(const char *data, qint64 length) override
    {
        const qint64 room = m_cap - size();
        if (room <= 0) {
            m_overCap = true;
            setErrorString(u"The preview limit was reached"_s);
            return -1;
        }
        const qint64 accepted = qMin(length, room);
        const qint64 written = QBuffer::writeData(data, accepted);
        if (m_sniff && size() >= FilePreview::kBinaryHead) {
            m_sniff = false;
            if (PreviewLoader::looksBinary(QByteArrayView(buffer()).first(FilePreview::kBinaryHead)))
                m_cap = FilePreview::kBinaryHead; // a hex view needs no more
        }
        if (accepted < length)
            m_overCap = true; // the short write ends the download: there is more than the cap
        return written;
    }

private:
    qint64 m_cap;
    bool m_sniff;
    bool m_overCap = false;
};

namespace {
const QMimeDatabase &mimeDatabase()
{
    static const QMimeDatabase database;
    return database;
}

qint64 capFor(FilePreview::Kind kind)
{
    switch (kind) {
    case FilePreview::Kind::Image:
        return FilePreview::kImageLimit;
    case FilePreview::Kind::Pdf:
        return FilePreview::kPdfLimit;
    default:
        return FilePreview::kTextLimit;
    }
}

/// "parse error at line 3, column 5: syntax error …" without nlohmann's "[json.exception…] ".
QString jsonErrorText(const char *what)
{
    QString text = QString::fromUtf8(what);
    if (text.startsWith(u'[')) {
        const qsizetype end = text.indexOf(u"] "_s);
        if (end > 0)
            text = text.mid(end + 2);
    }
    return text;
}
} // namespace

PreviewLoader::PreviewLoader(FilePreview base, QString name, QObject *parent)
    : QObject(parent)
    , m_base(std::move(base))
    , m_name(std::move(name))
    , m_plan(plan(m_name, m_base.size))
{
    m_base.kind = FilePreview::Kind::Loading;
}

PreviewLoader::~PreviewLoader()
{
    delete m_job.data(); // silently: nobody waits for a superseded preview
}

FilePreview::Kind PreviewLoader::kindForMime(const QMimeType &type)
{
    if (!type.isValid() || type.isDefault())
        return FilePreview::Kind::Binary;
    const QString name = type.name();
    if (name == u"application/pdf")
        return FilePreview::Kind::Pdf;
    static const QStringList images{u"image/png"_s,  u"image/jpeg"_s,    u"image/gif"_s,
                                    u"image/webp"_s, u"image/svg+xml"_s, u"image/bmp"_s};
    if (images.contains(name) ||
        (name.startsWith(u"image/"_s) && QImageReader::supportedMimeTypes().contains(name.toLatin1())))
        return FilePreview::Kind::Image;
    if (name == u"application/json" || type.inherits(u"application/json"_s))
        return FilePreview::Kind::Json;
    if (name.startsWith(u"text/"_s) || type.inherits(u"text/plain"_s))
        return FilePreview::Kind::Text;
    return FilePreview::Kind::Binary;
}

bool PreviewLoader::looksBinary(QByteArrayView head)
{
    qsizetype control = 0;
    for (const char c : head) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0)
            return true;
        if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r' && byte != '\f' && byte != '\v' &&
            byte != '\b' && byte != 0x1b)
            ++control;
    }
    return control * 100 > head.size();
}

PreviewLoader::Plan PreviewLoader::plan(const QString &name, qint64 size)
{
    Plan plan;
    plan.guess = kindForMime(mimeDatabase().mimeTypeForFile(name, QMimeDatabase::MatchExtension));
    switch (plan.guess) {
    case FilePreview::Kind::Image:
    case FilePreview::Kind::Pdf:
        plan.cap = capFor(plan.guess);
        plan.sniff = false;
        plan.tooLarge = size > plan.cap;
        break;
    case FilePreview::Kind::Text:
    case FilePreview::Kind::Json:
        plan.cap = FilePreview::kTextLimit;
        plan.tooLarge = size > plan.cap;
        break;
    default:
        // Unknown or binary by name: the first bytes decide. Too big for text, the head is all
        // a binary view shows.
        plan.cap = size > FilePreview::kTextLimit ? FilePreview::kBinaryHead : FilePreview::kTextLimit;
        break;
    }
    return plan;
}

FilePreview PreviewLoader::decide(FilePreview preview, const QString &name, const Plan &plan,
                                  const QByteArray &bytes, bool overCap)
{
    const QByteArrayView head =
        QByteArrayView(bytes).first(qMin<qsizetype>(bytes.size(), FilePreview::kBinaryHead));
    const QMimeType type = mimeDatabase().mimeTypeForFileNameAndData(name, head.toByteArray());
    if (preview.mimeType.isEmpty() || !type.isDefault())
        preview.mimeType = type.name();
    const FilePreview::Kind kind = kindForMime(type);
    preview.text.clear();
    preview.bytes.clear();
    preview.error.clear();

    if (kind == FilePreview::Kind::Image || kind == FilePreview::Kind::Pdf) {
        if (!overCap) {
            preview.kind = kind;
            preview.bytes = bytes;
            return preview;
        }
        if (plan.guess == kind) {
            preview.kind = FilePreview::Kind::TooLarge;
            preview.limit = capFor(kind);
            return preview;
        }
        // Named as something else and bigger than what was fetched for that: its head at least.
    }
    if (looksBinary(head) || kind == FilePreview::Kind::Image || kind == FilePreview::Kind::Pdf) {
        preview.kind = FilePreview::Kind::Binary;
        preview.bytes = bytes.left(FilePreview::kBinaryHead);
        return preview;
    }
    if (overCap) {
        preview.kind = FilePreview::Kind::TooLarge;
        preview.limit = FilePreview::kTextLimit;
        return preview;
    }
    if (kind == FilePreview::Kind::Json || plan.guess == FilePreview::Kind::Json) {
        try {
            // ordered_json: the keys stay in the file's order, as the author wrote them.
            const auto document = nlohmann::ordered_json::parse(bytes.cbegin(), bytes.cend());
            const std::string pretty =
                document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
            preview.kind = FilePreview::Kind::Json;
            preview.text = QString::fromStdString(pretty);
            return preview;
        } catch (const nlohmann::json::exception &error) {
            preview.error = jsonErrorText(error.what());
        }
    }
    preview.kind = FilePreview::Kind::Text;
    preview.text = QString::fromUtf8(bytes);
    return preview;
}

bool PreviewLoader::decideEarly()
{
    if (!m_plan.tooLarge)
        return false;
    FilePreview preview = m_base;
    preview.kind = FilePreview::Kind::TooLarge;
    preview.limit = m_plan.cap;
    preview.mimeType = preview.mimeType.isEmpty()
                           ? mimeDatabase().mimeTypeForFile(m_name, QMimeDatabase::MatchExtension).name()
                           : preview.mimeType;
    // Like a job's answer: never from inside the call that asked.
    QMetaObject::invokeMethod(
        this, [this, preview] { finish(preview); }, Qt::QueuedConnection);
    return true;
}

void PreviewLoader::startFile(const ApiClient &client, const QString &sandboxId, const QString &path)
{
    if (decideEarly())
        return;
    fetchInto(client,
              [&client, sandboxId, path](QIODevice *sink) { return client.download(sandboxId, path, sink); });
}

void PreviewLoader::startArtifact(const ApiClient &client, const QString &sandboxId, const QString &key)
{
    if (decideEarly())
        return;
    ArtifactUrlJob *job = client.artifactDownloadUrl(sandboxId, key);
    m_job = job;
    // The client is a cheap value: keep a copy for the second step.
    connect(job, &ArtifactUrlJob::finished, this, [this, client](const ApiResult<ArtifactUrl> &result) {
        m_job = nullptr;
        if (!result) {
            FilePreview preview = m_base;
            preview.kind = FilePreview::Kind::Error;
            preview.error = result.error().displayText();
            finish(preview);
            return;
        }
        const QUrl url(result->url);
        fetchInto(client, [&client, url](QIODevice *sink) { return client.downloadUrl(url, sink); });
    });
}

void PreviewLoader::fetchInto(const ApiClient &client, const std::function<DownloadJob *(QIODevice *)> &start)
{
    Q_UNUSED(client)
    m_buffer = std::make_unique<CappedBuffer>(m_plan.cap, m_plan.sniff);
    DownloadJob *job = start(m_buffer.get());
    m_job = job;
    connect(job, &DownloadJob::finished, this, [this](const ApiResult<DownloadInfo> &result) {
        m_job = nullptr;
        const bool overCap = m_buffer->overCap();
        if (!result && !overCap) {
            FilePreview preview = m_base;
            preview.kind = FilePreview::Kind::Error;
            preview.error = result.error().displayText();
            finish(preview);
            return;
        }
        FilePreview base = m_base;
        if (result && result->totalSize >= 0)
            base.size = result->totalSize;
        finish(decide(base, m_name, m_plan, m_buffer->data(), overCap));
    });
}

void PreviewLoader::finish(FilePreview preview)
{
    if (m_finished)
        return;
    m_finished = true;
    qCDebug(lcPreview) << preview.path << "previewed as" << int(preview.kind);
    Q_EMIT finished(preview);
}

} // namespace banata
