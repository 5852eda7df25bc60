// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include "core/document.h"
#include "core/downloads/downloadmanager.h" // complete for QPointer
#include "models/artifactlistmodel.h"
#include "models/metatypes.h"
#include "models/workspacetreemodel.h"
#include "session/filepreview.h"

namespace banata {

class Connection;
class PreviewLoader;
struct Event;

/// One upload of the Files tab (drag and drop from the desktop), as the panel shows it.
struct UploadItem
{
    enum class State
    {
        Running,
        Completed,
        Failed,
        Cancelled
    };
    int id = 0;
    QString localPath;
    QString remotePath;
    qint64 sent = 0;
    qint64 total = 0;
    State state = State::Running;
    QString error;
};

/**
 * The Files tab of one sandbox: its workspace tree (listings fetched as the view expands folders,
 * refreshed when `sandbox.files.changed` names them), its artifacts, previews, downloads (handed
 * to the app's DownloadManager), uploads (streamed from local files) and document conversion.
 * Nothing is fetched until setActive(true); events are followed from construction so a tree that
 * was shown stays current (and is listed again when the connection comes back after a drop). Local
 * files dropped on the tree (WorkspaceTreeModel::filesDropped) are uploaded. Errors are data:
 * listing errors become error rows in the tree, the rest arrive as message().
 */
class FilesSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilesSession)

public:
    FilesSession(Connection *connection, QString sandboxId, QObject *parent = nullptr);
    ~FilesSession() override;

    WorkspaceTreeModel *tree() { return &m_tree; }
    ArtifactListModel *artifacts() { return &m_artifacts; }
    /// Where download() hands its downloads (the app's engine); without one, download() reports an error.
    void setDownloadManager(DownloadManager *downloads);

    /// First activation lists /workspace and the artifacts.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    /// Lists every loaded folder and the artifacts again.
    void refresh();

    /// Fetches what the preview pane shows for \a path (a file or folder of the tree); the answer
    /// arrives as previewChanged (first Loading, then the result). A newer call supersedes older.
    void preview(const QString &path);
    /// The same for an artifact (fetched through its download URL).
    void previewArtifact(const QString &key);
    const FilePreview &currentPreview() const { return m_preview; }

    /// Downloads each of \a paths into \a folder: files as they are, folders as a zip.
    void download(const QStringList &paths, const QString &folder);
    void downloadArtifact(const QString &key, const QString &folder);

    /// Streams each local file into \a remoteFolder (a workspace folder); local folders are
    /// uploaded with their contents. Returns the ids of the uploads started.
    QList<int> upload(const QStringList &localPaths, const QString &remoteFolder);
    void cancelUpload(int id);
    QList<UploadItem> uploads() const;

    /// Whether "Convert to PDF" works for this sandbox, and if not why (for the action's tooltip):
    /// the server lacks the `documents` extension (LibreOffice not installed there), or the sandbox
    /// was created without the documents capability.
    bool canConvertDocuments(QString *whyNot = nullptr) const;
    /// Whether \a path has an extension the converter reads.
    static bool isConvertible(const QString &path);
    /// Converts \a path to PDF; the result arrives as conversionFinished (and the PDF appears in
    /// the tree and the artifacts by their events).
    void convertToPdf(const QString &path);
    /// Keeps \a path as an artifact.
    void keepAsArtifact(const QString &path);

Q_SIGNALS:
    void previewChanged(const banata::FilePreview &preview);
    void uploadChanged(const banata::UploadItem &upload);
    void conversionStarted(const QString &path);
    /// \a error empty on success.
    void conversionFinished(const QString &path, const banata::DocumentConversion &result,
                            const QString &error);
    /// A result or error for the operator, shown inline in the tab.
    void message(const QString &text, bool isError);

private:
    struct UploadTask;

    void onEvent(const Event &event);
    void list(const QString &path);
    void loadArtifacts();
    void startUpload(int id);
    void pumpUploads();
    int addUpload(const QString &localPath, const QString &remotePath);
    void finishUpload(int id, UploadItem::State state, const QString &error);
    void flushChanges();
    void setPreview(const FilePreview &preview);
    void startPreview(FilePreview base, const QString &name, const QString &artifactKey);
    /// Why nothing can be asked of the server now (no connection, not connected), or nullopt.
    std::optional<QString> unavailable() const;

    QPointer<Connection> m_connection;
    QString m_sandboxId;
    QPointer<DownloadManager> m_downloads;
    WorkspaceTreeModel m_tree;
    ArtifactListModel m_artifacts;
    FilePreview m_preview;
    int m_previewGeneration = 0;
    std::unique_ptr<PreviewLoader> m_previewLoader; // the preview on its way; replaced by a newer one
    QHash<int, UploadItem> m_uploads;
    QList<int> m_queuedUploads;
    std::map<int, std::unique_ptr<UploadTask>> m_runningUploads;
    int m_nextUploadId = 1;
    QStringList m_changedPaths; // from file change events, listed again together
    bool m_changedEverything = false;
    QTimer m_changeTimer;
    bool m_active = false;
    bool m_loadedOnce = false;
    bool m_wasAway = false; // the connection dropped since it was last live
};

} // namespace banata

Q_DECLARE_METATYPE(banata::UploadItem)
