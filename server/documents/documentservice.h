// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>

#include <QHash>
#include <QObject>

#include "core/apierror.h"
#include "core/document.h"
#include "core/expected.h"

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace banata::server {

class ArtifactService;
class EventHub;
struct BlobInfo;
class SandboxManager;
class Store;

/**
 * Document conversion (banata-api.md §7, `capabilities.documents.libreofficeHeadless`): turns a
 * workspace document into a PDF with headless LibreOffice run INSIDE the sandbox, so a hostile
 * document only ever reaches the sandbox's processes. Markdown is rendered to HTML on the server
 * first (cmark, safe mode). The PDF is written to the workspace atomically and kept as an
 * artifact. One conversion at a time per sandbox (the rest wait in order); each is stopped after
 * kTimeoutMs. Main thread only; file work runs on the I/O pool.
 */
class DocumentService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DocumentService)

public:
    static constexpr qint64 kTimeoutMs = 120'000;
    static constexpr qint64 kMaxMarkdownBytes = 16 << 20;

    /// LibreOffice for the sandboxes: BANATA_SOFFICE, else `soffice` on PATH, resolved to a file
    /// under /usr (the only host tree sandboxes see). Empty, with the reason logged, when none.
    static QString locateSoffice();
    /// The source extensions a conversion accepts, lower case without the dot.
    static const QStringList &supportedExtensions();

    /// \a sofficePath as locateSoffice() gives it (empty: conversions answer 501). The other
    /// arguments must outlive the service.
    DocumentService(QString sofficePath, SandboxManager *sandboxes, ArtifactService *artifacts,
                    EventHub *events, Store *store, QThreadPool *ioPool, QObject *parent = nullptr);
    ~DocumentService() override;

    bool available() const { return !m_soffice.isEmpty(); }

    using Done = std::function<void(const Expected<banata::DocumentConversion, banata::ApiError> &)>;
    /// Checks \a request (errors are answered at once through \a done), then queues it behind
    /// the sandbox's running conversion.
    void convert(const banata::ConvertDocumentRequest &request, Done done);

private:
    struct Job;
    using JobPtr = std::shared_ptr<Job>;

    std::optional<banata::ApiError> prepare(Job &job);
    void startNext(const QString &sandboxId);
    void stage(const JobPtr &job);
    void runConverter(const JobPtr &job);
    void collect(const JobPtr &job, const QString &converterOutput);
    void succeed(const JobPtr &job, qint64 sizeBytes, const BlobInfo &blob);
    void finish(JobPtr job, const Expected<banata::DocumentConversion, banata::ApiError> &result);

    QString m_soffice;
    SandboxManager *m_sandboxes;
    ArtifactService *m_artifacts;
    EventHub *m_events;
    Store *m_store;
    QThreadPool *m_ioPool;
    QHash<QString, QList<JobPtr>> m_queues; // per sandbox; the first one runs
};

} // namespace banata::server
