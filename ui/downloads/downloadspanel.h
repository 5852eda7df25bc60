// SPDX-License-Identifier: MIT
#pragma once

#include <functional>

#include <QWidget>

#include "core/downloads/downloadmanager.h"

class QAction;
class QFrame;
class QLabel;
class QListView;
class QToolButton;
class QUrl;

namespace banata {

class DownloadListModel;
class MessageBar;

/**
 * The downloads panel (the main window's Downloads dock): every download of the app with its
 * progress, and what can be done with the current one — cancel, retry, open it, open its folder —
 * as buttons, a context menu and keys (Delete cancels, Enter opens). A download that would
 * replace an existing file asks in a bar above the list (Replace, Keep both, Skip) without
 * stopping the others. Named "downloadsPanel"; its parts "downloadsView", "cancelDownloadButton",
 * "retryDownloadButton", "openDownloadButton", "openDownloadFolderButton", "clearDownloadsButton",
 * and the bar "downloadConflictBar" with "conflictReplace", "conflictKeepBoth", "conflictSkip".
 */
class DownloadsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DownloadsPanel)

public:
    /// Opens a file or folder for the operator; returns false when nothing could open it.
    using UrlOpener = std::function<bool(const QUrl &url)>;

    /// \a model (and its manager) must outlive the panel.
    explicit DownloadsPanel(DownloadListModel *model, QWidget *parent = nullptr);

    /// Test seam: how files and folders are opened (default QDesktopServices::openUrl).
    void setUrlOpener(UrlOpener opener);
    QListView *view() const { return m_view; }
    /// The download the conflict bar asks about (0: none).
    int conflictId() const { return m_conflictId; }

    void cancelCurrent();
    void retryCurrent();
    void openCurrent();
    void openCurrentFolder();
    void clearFinished();
    /// Answers the conflict bar's question.
    void resolveConflict(DownloadManager::ConflictChoice choice);

private:
    std::optional<DownloadItem> currentItem() const;
    void updateActions();
    void updateConflictBar();
    void open(const QUrl &url);
    QToolButton *addButton(QAction *action, const QString &objectName);

    DownloadListModel *m_model;
    QListView *m_view;
    QFrame *m_conflictBar;
    QLabel *m_conflictText;
    MessageBar *m_message;
    QAction *m_cancelAction;
    QAction *m_retryAction;
    QAction *m_openAction;
    QAction *m_openFolderAction;
    QAction *m_clearAction;
    UrlOpener m_opener;
    int m_conflictId = 0;
};

} // namespace banata
