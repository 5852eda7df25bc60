// SPDX-License-Identifier: MIT
#pragma once

#include <QWidget>

class QToolButton;
class QTreeView;

namespace banata {

class ArtifactListModel;

/**
 * The collapsible Artifacts section under the Files tab's tree: the sandbox's artifacts newest
 * first ("artifactsView"), with Preview and Download for the current one (double-click previews;
 * the context menu has Preview, Download and Download to…). Open while there are artifacts,
 * until the operator opens or closes it. It asks; the panel acts.
 */
class ArtifactsSection final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ArtifactsSection)

public:
    explicit ArtifactsSection(QWidget *parent = nullptr);

    void setModel(ArtifactListModel *model);
    QTreeView *view() const { return m_view; }
    /// The current artifact's key (empty when none).
    QString currentKey() const;
    bool isExpanded() const;
    void setExpanded(bool expanded);

Q_SIGNALS:
    void previewRequested(const QString &key);
    /// \a chooseFolder: ask where (Download to…) instead of the download folder.
    void downloadRequested(const QString &key, bool chooseFolder);

private:
    void updateTitle();
    void updateButtons();
    void showContextMenu(const QPoint &pos);

    ArtifactListModel *m_model = nullptr;
    QToolButton *m_toggle;
    QWidget *m_body;
    QTreeView *m_view;
    QToolButton *m_preview;
    QToolButton *m_download;
    bool m_userToggled = false;
};

} // namespace banata
