// SPDX-License-Identifier: MIT
// FilesPanel's actions: what the tool bar, the context menu, drops and the session's answers do.
#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QLoggingCategory>
#include <QMenu>

#include "core/document.h"
#include "filespanel.h"
#include "models/workspacesortproxy.h"
#include "models/workspacetreemodel.h"
#include "session/appsettings.h"
#include "session/filessession.h"
#include "ui/files/artifactssection.h"
#include "ui/files/filepreviewpane.h"
#include "ui/files/filetext.h"
#include "ui/files/workspacetreeview.h"
#include "ui/messagebar.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcFilesActions, "banata.ui.files.actions")

namespace banata {

namespace {
constexpr int kResultMs = 8000;
}

QString FilesPanel::chooseFolder(const QString &title)
{
    // Qt's own dialog: the same everywhere, and usable without a desktop portal (tests, Xvfb).
    return QFileDialog::getExistingDirectory(this, title, m_settings->downloadFolder(),
                                             QFileDialog::ShowDirsOnly | QFileDialog::DontUseNativeDialog);
}

void FilesPanel::downloadSelected(bool choose)
{
    const QStringList paths = selectedPaths();
    if (!m_files || paths.isEmpty())
        return;
    const QString folder = choose ? chooseFolder(tr("Download to")) : m_settings->downloadFolder();
    if (folder.isEmpty())
        return;
    qCDebug(lcFilesActions) << "download" << paths.size() << "to" << folder;
    m_files->download(paths, folder);
}

void FilesPanel::downloadPreviewed()
{
    if (!m_files || !m_preview->hasPreview())
        return;
    if (!m_previewArtifactKey.isEmpty())
        m_files->downloadArtifact(m_previewArtifactKey, m_settings->downloadFolder());
    else
        m_files->download({m_preview->preview().path}, m_settings->downloadFolder());
}

void FilesPanel::downloadArtifact(const QString &key, bool choose)
{
    if (!m_files || key.isEmpty())
        return;
    const QString folder = choose ? chooseFolder(tr("Download to")) : m_settings->downloadFolder();
    if (!folder.isEmpty())
        m_files->downloadArtifact(key, folder);
}

void FilesPanel::uploadFiles(const QString &target)
{
    if (!m_files)
        return;
    const QStringList paths =
        QFileDialog::getOpenFileNames(this, tr("Upload to %1").arg(target),
                                      m_lastUploadFolder.isEmpty() ? QDir::homePath() : m_lastUploadFolder,
                                      QString(), nullptr, QFileDialog::DontUseNativeDialog);
    if (paths.isEmpty())
        return;
    m_lastUploadFolder = filetext::parentPath(paths.constFirst());
    uploadDropped(paths, target);
}

void FilesPanel::uploadDropped(const QStringList &paths, const QString &folder)
{
    if (!m_files)
        return;
    if (m_sandboxEnded) {
        m_messages->showMessage(tr("The sandbox has ended: nothing can be uploaded."), MessageBar::Error);
        return;
    }
    qCDebug(lcFilesActions) << "upload" << paths << "into" << folder;
    m_files->upload(paths, folder);
}

void FilesPanel::convertSelected()
{
    const QStringList paths = selectedPaths();
    if (!m_files || paths.size() != 1 || !m_convertAction->isEnabled())
        return;
    m_files->convertToPdf(paths.constFirst());
}

void FilesPanel::keepSelected()
{
    if (!m_files)
        return;
    for (const QString &path : selectedPaths())
        m_files->keepAsArtifact(path);
}

void FilesPanel::previewCurrent(bool force)
{
    m_previewTimer.stop();
    if (!m_files)
        return;
    const QModelIndex current = m_tree->currentIndex().siblingAtColumn(0);
    if (!current.isValid() ||
        WorkspaceTreeModel::RowKind(current.data(WorkspaceTreeModel::RowKindRole).toInt()) !=
            WorkspaceTreeModel::RowKind::Entry)
        return;
    const QString path = current.data(WorkspaceTreeModel::PathRole).toString();
    // The selection settling on what is already shown (a new PDF selected for the operator)
    // fetches nothing again; Enter, double-click and a changed file do.
    if (!force && path == m_previewPath && m_previewArtifactKey.isEmpty())
        return;
    m_previewPath = path;
    m_previewArtifactKey.clear();
    m_files->preview(path);
}

void FilesPanel::previewArtifact(const QString &key)
{
    if (!m_files || key.isEmpty())
        return;
    m_previewTimer.stop();
    m_previewPath.clear();
    m_previewArtifactKey = key;
    m_files->previewArtifact(key);
}

void FilesPanel::showContextMenu(const QPoint &pos)
{
    if (!m_files)
        return;
    updateActions();
    QMenu menu(this);
    if (m_tree->indexAt(pos).isValid()) {
        menu.addAction(m_previewAction);
        menu.addSeparator();
        menu.addAction(m_downloadAction);
        menu.addAction(m_downloadToAction);
        menu.addSeparator();
    }
    // Uploads go where the menu was opened: into that folder, or the file's folder.
    const QString target = m_tree->folderAt(pos);
    menu.addAction(tr("Upload to %1…").arg(filetext::fileName(target)), this,
                   [this, target] { uploadFiles(target); })
        ->setEnabled(m_uploadAction->isEnabled());
    if (m_tree->indexAt(pos).isValid()) {
        menu.addAction(m_convertAction);
        menu.addAction(m_keepAction);
    }
    menu.addSeparator();
    menu.addAction(m_refreshAction);
    menu.exec(m_tree->viewport()->mapToGlobal(pos));
}

void FilesPanel::conversionStarted(const QString &path)
{
    m_messages->showMessage(tr("Converting %1 to PDF…").arg(filetext::fileName(path)), MessageBar::Info);
}

void FilesPanel::conversionFinished(const QString &path, const DocumentConversion &result,
                                    const QString &error)
{
    if (!error.isEmpty()) {
        m_messages->showMessage(
            tr("%1 could not be converted to PDF: %2").arg(filetext::fileName(path), error),
            MessageBar::Error);
        return;
    }
    m_messages->showMessage(
        tr("%1 converted to PDF — %2").arg(filetext::fileName(path), filetext::fileName(result.outputPath)),
        MessageBar::Positive, kResultMs);
    // Show the PDF at once; select it in the tree as soon as the tree lists it.
    m_previewPath = result.outputPath;
    m_previewArtifactKey.clear();
    m_files->preview(result.outputPath);
    m_pendingSelect = result.outputPath;
    trySelectPending();
}

void FilesPanel::showSessionMessage(const QString &text, bool isError)
{
    m_messages->showMessage(text, isError ? MessageBar::Error : MessageBar::Positive,
                            isError ? 0 : kResultMs);
}

void FilesPanel::sourceDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                   const QList<int> & /*roles*/)
{
    // The previewed file changed on the server (a command rewrote it): show the new content.
    if (!m_files || m_previewPath.isEmpty() || !m_previewArtifactKey.isEmpty())
        return;
    const QModelIndex shown = m_files->tree()->indexForPath(m_previewPath);
    if (!shown.isValid() || shown.parent() != topLeft.parent() || shown.row() < topLeft.row() ||
        shown.row() > bottomRight.row())
        return;
    // Only a real change: a refresh that merely re-lists the folder fetches nothing.
    const FilePreview &now = m_preview->preview();
    const qint64 mtime = shown.data(WorkspaceTreeModel::ModifiedRole).toLongLong();
    if (!m_preview->hasPreview() || now.path != m_previewPath || now.kind == FilePreview::Kind::Loading ||
        now.mtime == 0 || now.mtime == mtime)
        return;
    qCDebug(lcFilesActions) << "previewed file changed:" << m_previewPath;
    m_files->preview(m_previewPath);
}

void FilesPanel::trySelectPending()
{
    if (m_pendingSelect.isEmpty() || !m_files)
        return;
    const QString path = m_pendingSelect;
    if (selectPath(path)) {
        m_pendingSelect.clear();
        updateActions();
    }
}

} // namespace banata
