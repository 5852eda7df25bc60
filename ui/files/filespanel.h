// SPDX-License-Identifier: MIT
#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

#include "core/sandbox.h"
#include "session/filepreview.h"

class QAction;
class QLineEdit;
class QSplitter;
class QToolBar;

namespace banata {

class AppSettings;
class ArtifactsSection;
class FilePreviewPane;
class FilesSession;
class MessageBar;
class SandboxSession;
class UploadsStrip;
class WorkspaceSortProxy;
class WorkspaceTreeView;
struct DocumentConversion;
struct UploadItem;

/**
 * The Files tab ("filesPanel"): the sandbox's `/workspace` as a lazy tree ("filesTree", folders
 * first, sortable, filtered by name with "filesFilter") beside a preview ("filePreview"), the
 * artifacts under the tree, the running uploads ("uploadsStrip") and a tool bar: Download
 * (Ctrl+S), Download to…, Upload…, Convert to PDF, Keep as artifact, Refresh (F5 through the
 * window). Local files dropped from the desktop upload into the folder under the cursor.
 *
 * All of it goes through the sandbox's FilesSession (never the network); it fetches only while
 * the tab is shown (setActive). Results and errors show inline in "filesMessages". The tree's
 * header and the tree / preview split are kept in AppSettings.
 */
class FilesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilesPanel)

public:
    explicit FilesPanel(AppSettings *settings, QWidget *parent = nullptr);
    ~FilesPanel() override;

    void setSession(SandboxSession *session);
    /// The sandbox's latest state: what it allows may have changed (documents, ended).
    void setSandbox(const Sandbox &sandbox);
    /// The tab is shown (the session fetches and follows) or hidden.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    /// Lists every loaded folder and the artifacts again.
    void refresh();

    FilesSession *filesSession() const { return m_files; }
    WorkspaceTreeView *tree() const { return m_tree; }
    WorkspaceSortProxy *proxy() const { return m_proxy; }
    FilePreviewPane *previewPane() const { return m_preview; }
    ArtifactsSection *artifactsSection() const { return m_artifacts; }
    UploadsStrip *uploadsStrip() const { return m_uploads; }
    MessageBar *messageBar() const { return m_messages; }

    /// Workspace paths of the selected entries (files and folders).
    QStringList selectedPaths() const;
    /// Selects \a path (expanding its folders) if the tree shows it; true when it did.
    bool selectPath(const QString &path);

private:
    void buildActions();
    void bindSession();
    void restoreLayout();
    void scheduleLayoutSave();
    void saveLayout();
    void updateActions();

    // filespanelactions.cpp
    void downloadSelected(bool chooseFolder);
    void downloadPreviewed();
    void downloadArtifact(const QString &key, bool chooseFolder);
    void uploadFiles(const QString &target);
    void uploadDropped(const QStringList &paths, const QString &folder);
    void convertSelected();
    void keepSelected();
    void previewCurrent(bool force);
    void previewArtifact(const QString &key);
    void showContextMenu(const QPoint &pos);
    void conversionStarted(const QString &path);
    void conversionFinished(const QString &path, const DocumentConversion &result, const QString &error);
    void showSessionMessage(const QString &text, bool isError);
    void sourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                           const QList<int> &roles);
    void trySelectPending();
    QString chooseFolder(const QString &title);

    AppSettings *m_settings;
    QPointer<SandboxSession> m_session;
    QPointer<FilesSession> m_files;
    MessageBar *m_messages;
    QLineEdit *m_filter;
    QToolBar *m_toolBar;
    WorkspaceSortProxy *m_proxy;
    WorkspaceTreeView *m_tree;
    UploadsStrip *m_uploads;
    ArtifactsSection *m_artifacts;
    FilePreviewPane *m_preview;
    QSplitter *m_splitter;
    QAction *m_previewAction = nullptr;
    QAction *m_downloadAction = nullptr;
    QAction *m_downloadToAction = nullptr;
    QAction *m_uploadAction = nullptr;
    QAction *m_convertAction = nullptr;
    QAction *m_keepAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QTimer m_previewTimer;
    QTimer m_filterTimer;
    QTimer m_layoutTimer;
    QString m_previewPath;        ///< the workspace path last asked to preview
    QString m_previewArtifactKey; ///< set while the preview shows an artifact
    QString m_pendingSelect;      ///< a path to select as soon as the tree shows it (a new PDF)
    QString m_lastUploadFolder;   ///< where the last local file dialog was
    bool m_active = false;
    bool m_headerRestored = false;
    bool m_sandboxEnded = false;
};

} // namespace banata
