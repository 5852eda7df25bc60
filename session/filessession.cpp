// SPDX-License-Identifier: MIT
// The Files tab's session: listings, live refresh, previews, artifacts and documents. Uploads and
// downloads are in filessession_transfers.cpp.
#include "session/filessession.h"

#include <utility>

#include <QFileInfo>
#include <QLoggingCategory>

#include "core/client/apiclient.h"
#include "core/event.h"
#include "models/modeltext.h"
#include "session/connection.h"
#include "session/filessession_p.h"
#include "session/previewloader.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFilesSession, "banata.session.files")

namespace banata {

namespace {
const QString kWorkspace = QStringLiteral("/workspace");
/// File change events are gathered this long and listed together: a build writes in bursts.
constexpr int kChangeCoalesceMs = 100;
/// More changed paths than this in one burst and every listed folder is simply listed again.
constexpr qsizetype kMaxChangedPaths = 2000;

QString fileName(const QString &path)
{
    return path.section(u'/', -1);
}
} // namespace

FilesSession::FilesSession(Connection *connection, QString sandboxId, QObject *parent)
    : QObject(parent)
    , m_connection(connection)
    , m_sandboxId(std::move(sandboxId))
{
    m_changeTimer.setSingleShot(true);
    m_changeTimer.setInterval(kChangeCoalesceMs);
    connect(&m_changeTimer, &QTimer::timeout, this, &FilesSession::flushChanges);
    connect(&m_tree, &WorkspaceTreeModel::listingRequested, this, &FilesSession::list);
    connect(&m_tree, &WorkspaceTreeModel::filesDropped, this,
            [this](const QStringList &localPaths, const QString &folder) { upload(localPaths, folder); });
    if (!m_connection)
        return;
    connect(m_connection, &Connection::eventReceived, this, &FilesSession::onEvent);
    // Back after being away: listings that failed meanwhile (error rows) and changes no event could
    // report (a restarted server watches again only from its start) are listed again.
    connect(m_connection, &Connection::statusChanged, this, [this](Connection::Status status) {
        if (status == Connection::Status::Reconnecting || status == Connection::Status::Down) {
            m_wasAway = true;
        } else if (status == Connection::Status::Online || status == Connection::Status::Polling) {
            if (std::exchange(m_wasAway, false))
                refresh();
        }
    });
}

FilesSession::~FilesSession() = default;

void FilesSession::setDownloadManager(DownloadManager *downloads)
{
    m_downloads = downloads;
}

std::optional<QString> FilesSession::unavailable() const
{
    if (!m_connection)
        return tr("Its connection was removed");
    if (!m_connection->isStarted())
        return tr("%1 is not connected").arg(m_connection->name());
    return std::nullopt;
}

void FilesSession::setActive(bool active)
{
    m_active = active;
    if (!active || m_loadedOnce)
        return;
    m_loadedOnce = true;
    m_tree.reset(kWorkspace);
    loadArtifacts();
}

void FilesSession::refresh()
{
    if (!m_loadedOnce)
        return;
    m_tree.refreshAll();
    loadArtifacts();
}

void FilesSession::list(const QString &path)
{
    if (const auto reason = unavailable()) {
        // Like a job's answer: never from inside the call that asked (a view's fetchMore).
        QMetaObject::invokeMethod(
            this, [this, path, error = *reason] { m_tree.setListingError(path, error); },
            Qt::QueuedConnection);
        return;
    }
    FileListingJob *job = m_connection->client().listFiles(m_sandboxId, path);
    connect(job, &FileListingJob::finished, this, [this, path](const ApiResult<FileListing> &result) {
        if (!result) {
            qCInfo(lcFilesSession) << m_sandboxId << "could not list" << path << result.error().displayText();
            m_tree.setListingError(path, result.error().displayText());
            return;
        }
        FileListing listing = result.value();
        listing.path = path; // the folder asked for, however the server spells it
        m_tree.setListing(listing);
    });
}

void FilesSession::loadArtifacts()
{
    if (unavailable() || !m_connection->supports(u"artifacts"_s))
        return;
    ArtifactListJob *job = m_connection->client().artifacts(m_sandboxId);
    connect(job, &ArtifactListJob::finished, this, [this](const ApiResult<QList<Artifact>> &result) {
        if (!result) {
            Q_EMIT message(tr("Could not load the artifacts: %1").arg(result.error().displayText()), true);
            return;
        }
        m_artifacts.setArtifacts(result.value());
    });
}

void FilesSession::onEvent(const Event &event)
{
    if (event.type == QLatin1StringView(kStreamResetEvent)) {
        refresh(); // events were lost: what is shown may be stale anywhere
        return;
    }
    if (event.sandboxId != m_sandboxId || !m_loadedOnce)
        return;
    if (event.type == u"sandbox.files.changed") {
        if (modeltext::jsonString(event.data, "origin") == u"restore") {
            m_changedEverything = true; // the whole workspace was replaced
        } else if (const Json *paths = modeltext::jsonArray(event.data, "paths")) {
            for (const Json &path : *paths) {
                if (path.is_string())
                    m_changedPaths.append(fromStd(path.get_ref<const std::string &>()));
            }
            if (m_changedPaths.size() > kMaxChangedPaths)
                m_changedEverything = true;
        }
        if (!m_changeTimer.isActive())
            m_changeTimer.start();
        return;
    }
    if (event.type == u"sandbox.artifacts.updated") {
        if (const Json *object = modeltext::jsonObject(event.data, "artifact")) {
            if (Parsed<Artifact> artifact = Artifact::fromJson(*object)) {
                m_artifacts.upsert(artifact.value());
                return;
            }
        }
        loadArtifacts();
        return;
    }
    if (event.type == u"sandbox.document.converted") {
        const Parsed<DocumentConversion> conversion = DocumentConversion::fromJson(event.data);
        if (!conversion) {
            qCWarning(lcFilesSession) << "skipped a malformed conversion event:" << conversion.error();
            return;
        }
        if (!conversion->artifact.key.isEmpty())
            m_artifacts.upsert(conversion->artifact);
        m_tree.refreshPaths({conversion->outputPath});
    }
}

void FilesSession::flushChanges()
{
    if (m_changedEverything)
        m_tree.refreshAll();
    else
        m_tree.refreshPaths(m_changedPaths);
    m_changedPaths.clear();
    m_changedEverything = false;
}

void FilesSession::setPreview(const FilePreview &preview)
{
    m_preview = preview;
    Q_EMIT previewChanged(m_preview);
}

void FilesSession::preview(const QString &path)
{
    FilePreview base;
    base.path = path;
    base.size = -1;
    const std::optional<FileEntry> entry = m_tree.entryAt(m_tree.indexForPath(path));
    if (entry) {
        base.size = entry->size;
        base.mtime = entry->mtime;
    }
    if ((entry && entry->type == FileEntry::Type::Directory) || path == m_tree.rootPath()) {
        m_previewLoader.reset();
        ++m_previewGeneration;
        base.kind = FilePreview::Kind::Folder;
        base.mimeType = u"inode/directory"_s;
        base.size = m_tree.entryCount(path).value_or(-1);
        setPreview(base);
        return;
    }
    startPreview(base, entry ? entry->name : fileName(path), QString());
}

void FilesSession::previewArtifact(const QString &key)
{
    FilePreview base;
    base.path = key;
    base.size = -1;
    QString name = fileName(key);
    if (const std::optional<Artifact> artifact = m_artifacts.artifactAt(m_artifacts.rowOf(key))) {
        base.size = artifact->sizeBytes;
        base.mtime = artifact->createdAt;
        base.mimeType = artifact->contentType;
        if (!artifact->name.isEmpty())
            name = artifact->name;
    }
    startPreview(base, name, key);
}

void FilesSession::startPreview(FilePreview base, const QString &name, const QString &artifactKey)
{
    m_previewLoader.reset(); // cancels the older one
    const int generation = ++m_previewGeneration;
    if (const auto reason = unavailable()) {
        base.kind = FilePreview::Kind::Error;
        base.error = *reason;
        setPreview(base);
        return;
    }
    base.kind = FilePreview::Kind::Loading;
    setPreview(base);
    m_previewLoader = std::make_unique<PreviewLoader>(base, name);
    connect(m_previewLoader.get(), &PreviewLoader::finished, this,
            [this, generation](const FilePreview &preview) {
                if (generation != m_previewGeneration)
                    return;
                setPreview(preview);
                if (PreviewLoader *done = m_previewLoader.release())
                    done->deleteLater(); // not from inside its own signal
            });
    if (artifactKey.isEmpty())
        m_previewLoader->startFile(m_connection->client(), m_sandboxId, base.path);
    else
        m_previewLoader->startArtifact(m_connection->client(), m_sandboxId, artifactKey);
}

bool FilesSession::canConvertDocuments(QString *whyNot) const
{
    const auto refuse = [whyNot](const QString &reason) {
        if (whyNot)
            *whyNot = reason;
        return false;
    };
    if (const auto reason = unavailable())
        return refuse(*reason);
    if (!m_connection->supports(u"documents"_s))
        return refuse(tr("This server cannot convert documents: LibreOffice is not installed there "
                         "(it does not offer the “documents” extension)"));
    const std::optional<Sandbox> sandbox = m_connection->sandbox(m_sandboxId);
    if (sandbox) {
        const std::optional<Capabilities> &capabilities = sandbox->capabilities;
        if (!capabilities || !capabilities->documents || !capabilities->documents->libreofficeHeadless)
            return refuse(tr("This sandbox was created without the documents capability"));
    }
    if (whyNot)
        whyNot->clear();
    return true;
}

bool FilesSession::isConvertible(const QString &path)
{
    static const QStringList suffixes{u"md"_s,   u"markdown"_s, u"html"_s, u"htm"_s, u"odt"_s,
                                      u"docx"_s, u"doc"_s,      u"rtf"_s,  u"txt"_s};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

void FilesSession::convertToPdf(const QString &path)
{
    QString reason;
    if (!canConvertDocuments(&reason) || !isConvertible(path)) {
        if (reason.isEmpty())
            reason =
                tr("Only Markdown, HTML, text, ODT, DOC, DOCX and RTF documents can be converted to PDF");
        QMetaObject::invokeMethod(
            this,
            [this, path, reason] {
                Q_EMIT conversionFinished(path, {}, reason);
                Q_EMIT message(tr("Could not convert %1: %2").arg(fileName(path), reason), true);
            },
            Qt::QueuedConnection);
        return;
    }
    Q_EMIT conversionStarted(path);
    ConvertDocumentRequest request;
    request.id = m_sandboxId;
    request.path = path;
    DocumentJob *job = m_connection->client().convertDocument(request);
    connect(job, &DocumentJob::finished, this, [this, path](const ApiResult<DocumentConversion> &result) {
        if (!result) {
            const QString error = result.error().displayText();
            Q_EMIT conversionFinished(path, {}, error);
            Q_EMIT message(tr("Could not convert %1: %2").arg(fileName(path), error), true);
            return;
        }
        if (!result->artifact.key.isEmpty())
            m_artifacts.upsert(result->artifact);
        m_tree.refreshPaths({result->outputPath}); // the event will say so too; polling servers have none
        Q_EMIT conversionFinished(path, result.value(), QString());
        Q_EMIT message(tr("%1 converted to PDF (%2, %3)")
                           .arg(fileName(result->sourcePath.isEmpty() ? path : result->sourcePath),
                                fileName(result->outputPath), modeltext::sizeText(result->sizeBytes)),
                       false);
    });
}

void FilesSession::keepAsArtifact(const QString &path)
{
    std::optional<QString> reason = unavailable();
    if (!reason && !m_connection->supports(u"artifacts"_s))
        reason = tr("This server does not keep artifacts");
    if (reason) {
        QMetaObject::invokeMethod(
            this,
            [this, path, error = *reason] {
                Q_EMIT message(tr("Could not keep %1: %2").arg(fileName(path), error), true);
            },
            Qt::QueuedConnection);
        return;
    }
    PublishArtifactRequest request;
    request.id = m_sandboxId;
    request.path = path;
    ArtifactJob *job = m_connection->client().publishArtifact(request);
    connect(job, &ArtifactJob::finished, this, [this, path](const ApiResult<Artifact> &result) {
        if (!result) {
            Q_EMIT message(tr("Could not keep %1: %2").arg(fileName(path), result.error().displayText()),
                           true);
            return;
        }
        m_artifacts.upsert(result.value());
        Q_EMIT message(tr("%1 kept as an artifact (%2)")
                           .arg(result->name.isEmpty() ? fileName(path) : result->name,
                                modeltext::sizeText(result->sizeBytes)),
                       false);
    });
}

} // namespace banata
