// SPDX-License-Identifier: MIT
#include "documentservice.h"

#include <cstring>
#include <unistd.h>

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QStandardPaths>

#include "conversionstaging.h"
#include "markdownhtml.h"
#include "server/artifacts/artifactservice.h"
#include "server/async.h"
#include "server/events/eventhub.h"
#include "server/sandboxmanager.h"
#include "server/store/store.h"
#include "server/workspace/workspacefs.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcDocuments, "banata.server.documents", QtInfoMsg)

namespace banata::server {

namespace {
constexpr char kStagedBaseName[] = "document";

ApiError httpError(int status, const QString &message, const QString &code)
{
    return ApiError{ApiError::Kind::Http, status, message, code, {}};
}

/// "/workspace/a/b.md" → "md"; empty without an extension.
QString extensionOf(const QString &sandboxPath)
{
    const QString name = sandboxPath.section(u'/', -1);
    const qsizetype dot = name.lastIndexOf(u'.');
    return dot > 0 ? name.mid(dot + 1).toLower() : QString();
}

QString withPdfExtension(const QString &sandboxPath)
{
    const qsizetype slash = sandboxPath.lastIndexOf(u'/');
    const qsizetype dot = sandboxPath.lastIndexOf(u'.');
    return (dot > slash + 1 ? sandboxPath.left(dot) : sandboxPath) + u".pdf"_s;
}

/// What LibreOffice said last, for the error message: its own warnings about Java are noise.
QString converterComplaint(const ExecResult &result)
{
    const QString all = result.stderrText + u'\n' + result.stdoutText;
    const QStringList lines = all.split(u'\n', Qt::SkipEmptyParts);
    QStringList useful;
    for (const QString &line : lines) {
        if (!line.contains(u"javaldx"_s) && !line.trimmed().isEmpty())
            useful.append(line.trimmed());
    }
    return useful.isEmpty() ? QString() : useful.last().left(300);
}

/// What the pool reports after picking up the PDF.
struct Collected
{
    std::optional<FsError> error;
    bool converterFailed = false; // no PDF, or not a PDF
    qint64 sizeBytes = 0;
    BlobInfo blob;
};
} // namespace

struct DocumentService::Job
{
    ConvertDocumentRequest request;
    Done done;
    QString sandboxId;
    QString sourcePath; // "/workspace/…"
    QString outputPath;
    QString key;
    QString stagedName; // document.<ext> in the staging directory
    bool markdown = false;
    QString workspace;
    QString hostTmp;
    std::shared_ptr<ConversionStaging> staging;
    QElapsedTimer clock;
    bool started = false;
    bool holdingBlobs = false;
};

QString DocumentService::locateSoffice()
{
    const bool configured = qEnvironmentVariableIsSet("BANATA_SOFFICE");
    const QString candidate =
        configured ? qEnvironmentVariable("BANATA_SOFFICE") : QStandardPaths::findExecutable(u"soffice"_s);
    if (candidate.isEmpty()) {
        qCInfo(lcDocuments) << "LibreOffice (soffice) is not installed: document conversion is off"
                            << "(install the Debian package libreoffice-writer-nogui)";
        return {};
    }
    const QString resolved = QFileInfo(candidate).canonicalFilePath();
    const QFileInfo info(resolved);
    if (resolved.isEmpty() || !info.isFile() || !info.isExecutable()) {
        qCWarning(lcDocuments).noquote() << candidate << (configured ? "(BANATA_SOFFICE)" : "")
                                         << "is not an executable file: document conversion is off";
        return {};
    }
    // Conversions run inside sandboxes, which see the host's /usr and nothing else of it.
    if (!resolved.startsWith(u"/usr/"_s)) {
        qCWarning(lcDocuments).noquote() << resolved << "is outside /usr, where sandboxes cannot run it:"
                                         << "document conversion is off";
        return {};
    }
    qCInfo(lcDocuments).noquote() << "document conversion with" << resolved;
    return resolved;
}

const QStringList &DocumentService::supportedExtensions()
{
    static const QStringList extensions = {u"md"_s,   u"markdown"_s, u"html"_s, u"htm"_s, u"odt"_s,
                                           u"docx"_s, u"doc"_s,      u"rtf"_s,  u"txt"_s};
    return extensions;
}

DocumentService::DocumentService(QString sofficePath, SandboxManager *sandboxes, ArtifactService *artifacts,
                                 EventHub *events, Store *store, QThreadPool *ioPool, QObject *parent)
    : QObject(parent)
    , m_soffice(std::move(sofficePath))
    , m_sandboxes(sandboxes)
    , m_artifacts(artifacts)
    , m_events(events)
    , m_store(store)
    , m_ioPool(ioPool)
{}

DocumentService::~DocumentService() = default;

std::optional<ApiError> DocumentService::prepare(Job &job)
{
    const ConvertDocumentRequest &request = job.request;
    const auto sandbox = m_sandboxes->find(request.id);
    if (!sandbox)
        return sandboxNotFound();
    if (!available())
        return httpError(
            501,
            u"This server cannot convert documents: LibreOffice is not installed (Debian package "
            u"libreoffice-writer-nogui; or set BANATA_SOFFICE) — install it and restart banata-local"_s,
            u"DOCUMENTS_UNAVAILABLE"_s);
    const auto &caps = sandbox->capabilities;
    if (!caps || !caps->documents || !caps->documents->libreofficeHeadless)
        return httpError(
            409,
            u"This sandbox was created without capabilities.documents.libreofficeHeadless; create a "
            u"sandbox with it to convert documents"_s,
            u"CAPABILITY_REQUIRED"_s);
    job.sandboxId = sandbox->id;
    job.workspace = m_sandboxes->sandboxRoot(job.sandboxId) + u"/workspace"_s;
    job.hostTmp = m_sandboxes->sandboxRoot(job.sandboxId) + u"/tmp"_s;
    const WorkspaceFs fs(job.workspace);
    const auto source = fs.normalize(request.path);
    if (!source)
        return apiErrorFor(source.error());
    if (source->isEmpty())
        return apiErrorFor(FsError::make(FsError::Kind::IsADirectory, u"Is a directory: /workspace"_s));
    job.sourcePath = u"/workspace/"_s + *source;
    const QString extension = extensionOf(job.sourcePath);
    if (!supportedExtensions().contains(extension))
        return httpError(
            415,
            u"Cannot convert %1: supported documents are .md, .markdown, .html, .htm, .odt, .docx, "
            u".doc, .rtf and .txt"_s.arg(job.sourcePath),
            u"UNSUPPORTED_DOCUMENT"_s);
    job.markdown = extension == u"md" || extension == u"markdown";
    job.stagedName = QString::fromLatin1(kStagedBaseName) + u'.' + (job.markdown ? u"html"_s : extension);
    const auto output = fs.normalize(request.outputPath.value_or(withPdfExtension(job.sourcePath)));
    if (!output)
        return apiErrorFor(output.error());
    if (output->isEmpty())
        return apiErrorFor(FsError::make(FsError::Kind::IsADirectory, u"Is a directory: /workspace"_s));
    job.outputPath = u"/workspace/"_s + *output;
    if (job.outputPath == job.sourcePath)
        return httpError(400, u"body.outputPath: must differ from body.path"_s, u"INVALID_REQUEST"_s);
    job.key = ArtifactService::defaultKey(*sandbox, job.outputPath.section(u'/', -1));
    if (auto invalid = ArtifactService::checkKey(job.key))
        return httpError(400, u"The artifact key %1 is not valid: %2"_s.arg(job.key.left(80), *invalid),
                         u"INVALID_REQUEST"_s);
    return m_sandboxes->checkAcceptsWork(job.sandboxId);
}

void DocumentService::convert(const ConvertDocumentRequest &request, Done done)
{
    auto job = std::make_shared<Job>();
    job->request = request;
    job->done = std::move(done);
    if (auto refused = prepare(*job))
        return job->done(Expected<DocumentConversion, ApiError>::failure(*refused));
    QList<JobPtr> &queue = m_queues[job->sandboxId];
    queue.append(job);
    if (queue.size() == 1)
        startNext(job->sandboxId);
    else
        qCDebug(lcDocuments) << "conversion of" << job->sourcePath << "waits for" << queue.size() - 1
                             << "before it";
}

void DocumentService::startNext(const QString &sandboxId)
{
    const JobPtr job = m_queues.value(sandboxId).value(0);
    if (!job)
        return;
    job->started = true;
    job->clock.start();
    // An ephemeral sandbox that ends meanwhile keeps its files until this conversion is done.
    m_sandboxes->retainFiles(sandboxId);
    // The sandbox may have been paused or killed while this one waited.
    if (auto conflict = m_sandboxes->checkAcceptsWork(sandboxId))
        return finish(job, Expected<DocumentConversion, ApiError>::failure(*conflict));
    stage(job);
}

void DocumentService::stage(const JobPtr &job)
{
    using Staged = FsResult<std::shared_ptr<ConversionStaging>>;
    runInPool(
        m_ioPool, this,
        [workspace = job->workspace, hostTmp = job->hostTmp, source = job->sourcePath, name = job->stagedName,
         markdown = job->markdown]() -> Staged {
            auto created = ConversionStaging::create(hostTmp);
            if (!created)
                return Staged::failure(created.error());
            std::shared_ptr<ConversionStaging> staging = std::move(created).value();
            const WorkspaceFs fs(workspace);
            if (markdown) {
                const auto text = fs.read(source, kMaxMarkdownBytes);
                if (!text)
                    return Staged::failure(text.error());
                const QString title = QFileInfo(source).completeBaseName();
                if (auto written = staging->writeInput(name, markdownToHtml(*text, title)); !written)
                    return Staged::failure(written.error());
                return staging;
            }
            auto opened = fs.openForRead(source);
            if (!opened)
                return Staged::failure(opened.error());
            const detail::UniqueFd fd(opened->fd);
            if (auto copied = staging->copyInput(name, fd.get(), source); !copied)
                return Staged::failure(copied.error());
            return staging;
        },
        [this, job](const Staged &staged) {
            if (!staged)
                return finish(job,
                              Expected<DocumentConversion, ApiError>::failure(apiErrorFor(staged.error())));
            job->staging = *staged;
            runConverter(job);
        });
}

void DocumentService::runConverter(const JobPtr &job)
{
    const QString dir = job->staging->insideDir();
    ExecSpec spec;
    // A fresh profile per conversion: nothing one document sets up (macros, settings) reaches the next.
    spec.argv = {m_soffice,
                 u"--headless"_s,
                 u"--norestore"_s,
                 u"--nologo"_s,
                 u"--nodefault"_s,
                 u"--nolockcheck"_s,
                 u"-env:UserInstallation=file://"_s + dir + u"/profile"_s};
    // HTML (and rendered Markdown) into Writer proper: the default Writer/Web import leaves
    // headings out of the PDF.
    if (job->stagedName.endsWith(u".html"_s) || job->stagedName.endsWith(u".htm"_s))
        spec.argv.append(u"--infilter=HTML (StarWriter)"_s);
    spec.argv << u"--convert-to"_s << u"pdf"_s << u"--outdir"_s << dir + u"/out"_s
              << dir + u"/in/"_s + job->stagedName;
    spec.cwd = dir;
    spec.timeoutMs = kTimeoutMs;
    spec.maxOutputBytes = 64 << 10;
    m_sandboxes->exec(job->sandboxId, spec, this, [this, job](const ApiExpected<ExecResult> &result) {
        if (!result)
            return finish(job, Expected<DocumentConversion, ApiError>::failure(result.error()));
        if (result->timedOut)
            return finish(job, Expected<DocumentConversion, ApiError>::failure(httpError(
                                   504,
                                   u"The conversion of %1 did not finish within %2 s and was stopped"_s
                                       .arg(job->sourcePath)
                                       .arg(kTimeoutMs / 1000),
                                   u"CONVERSION_TIMEOUT"_s)));
        QString complaint = converterComplaint(*result);
        if (complaint.isEmpty())
            complaint = u"exit status %1"_s.arg(result->exitCode);
        collect(job, complaint);
    });
}

void DocumentService::collect(const JobPtr &job, const QString &converterOutput)
{
    m_artifacts->holdBlobs(job->sandboxId);
    job->holdingBlobs = true;
    const QString output = QString::fromLatin1(kStagedBaseName) + u".pdf"_s;
    runInPool(
        m_ioPool, this,
        [staging = job->staging, output, workspace = job->workspace, outputPath = job->outputPath,
         blobDir = m_artifacts->blobDir(job->sandboxId)]() -> Collected {
            Collected collected;
            auto pdf = staging->openOutput(output);
            char head[5] = {};
            if (!pdf || ::pread(pdf.value().get(), head, sizeof head, 0) != sizeof head ||
                std::memcmp(head, "%PDF-", sizeof head) != 0) {
                collected.converterFailed = true;
                return collected;
            }
            auto sink = WorkspaceFs(workspace).beginUpload(outputPath);
            if (!sink) {
                collected.error = sink.error();
                return collected;
            }
            auto writer = BlobWriter::create(blobDir);
            if (!writer) {
                collected.error = writer.error();
                return collected;
            }
            UploadSink &file = *sink.value();
            BlobWriter &blob = *writer.value();
            // One read, two copies: the workspace file and the artifact hold the same bytes.
            const auto copied =
                pumpFile(pdf.value().get(), outputPath, [&](QByteArrayView chunk) -> FsResult<bool> {
                    if (auto written = file.write(chunk); !written)
                        return written;
                    return blob.write(chunk);
                });
            if (!copied) {
                collected.error = copied.error();
                return collected;
            }
            const auto size = file.commit();
            if (!size) {
                collected.error = size.error();
                return collected;
            }
            const auto kept = blob.commit();
            if (!kept) {
                collected.error = kept.error();
                return collected;
            }
            collected.sizeBytes = *size;
            collected.blob = *kept;
            staging->remove();
            return collected;
        },
        [this, job, converterOutput](const Collected &collected) {
            if (collected.converterFailed)
                return finish(
                    job,
                    Expected<DocumentConversion, ApiError>::failure(httpError(
                        422, u"LibreOffice could not convert %1: %2"_s.arg(job->sourcePath, converterOutput),
                        u"CONVERSION_FAILED"_s)));
            if (collected.error)
                return finish(job,
                              Expected<DocumentConversion, ApiError>::failure(apiErrorFor(*collected.error)));
            succeed(job, collected.sizeBytes, collected.blob);
        });
}

void DocumentService::succeed(const JobPtr &job, qint64 sizeBytes, const BlobInfo &blob)
{
    DocumentConversion conversion;
    conversion.id = newId();
    conversion.sandboxId = job->sandboxId;
    conversion.sourcePath = job->sourcePath;
    conversion.outputPath = job->outputPath;
    conversion.format = u"pdf"_s;
    conversion.sizeBytes = sizeBytes;
    conversion.durationMs = job->clock.elapsed();
    conversion.createdAt = QDateTime::currentMSecsSinceEpoch();
    m_sandboxes->notifyFilesChanged(job->sandboxId, {job->outputPath}, u"api"_s);

    job->holdingBlobs = false; // keep() ends the hold
    m_store->begin();
    const auto kept = m_artifacts->keep(job->sandboxId, job->key, blob, job->outputPath, u"document"_s);
    if (kept) {
        conversion.artifact = kept->artifact;
        m_events->publish(u"sandbox.document.converted"_s, job->sandboxId, conversion.toJson());
        m_artifacts->announce(*kept);
    }
    m_store->commit();
    if (!kept)
        return finish(job, Expected<DocumentConversion, ApiError>::failure(kept.error()));
    qCInfo(lcDocuments).noquote() << "converted" << job->sourcePath << "to" << job->outputPath << "in"
                                  << conversion.durationMs << "ms (" << sizeBytes << "bytes) for"
                                  << job->sandboxId;
    finish(job, conversion);
}

void DocumentService::finish(JobPtr job, const Expected<DocumentConversion, ApiError> &result)
{
    if (job->holdingBlobs) {
        m_artifacts->releaseBlobs(job->sandboxId);
        job->holdingBlobs = false;
    }
    if (auto staging = std::exchange(job->staging, nullptr)) {
        // Off the event loop: a sandbox may have filled the directory with many files.
        m_ioPool->start([staging] { staging->remove(); });
    }
    if (!result)
        qCInfo(lcDocuments).noquote()
            << "conversion of" << job->sourcePath << "failed:" << result.error().message;
    const bool started = job->started;
    if (started)
        m_sandboxes->releaseFiles(job->sandboxId);
    job->done(result);
    if (!started)
        return;
    QList<JobPtr> &queue = m_queues[job->sandboxId];
    if (!queue.isEmpty() && queue.first() == job)
        queue.removeFirst();
    if (queue.isEmpty())
        m_queues.remove(job->sandboxId);
    else
        startNext(job->sandboxId);
}

} // namespace banata::server
