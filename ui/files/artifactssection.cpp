// SPDX-License-Identifier: MIT
#include "artifactssection.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QMenu>
#include <QStyle>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include "models/artifactlistmodel.h"

using namespace Qt::StringLiterals;

namespace banata {

ArtifactsSection::ArtifactsSection(QWidget *parent)
    : QWidget(parent)
    , m_toggle(new QToolButton(this))
    , m_body(new QWidget(this))
    , m_view(new QTreeView(m_body))
    , m_preview(new QToolButton(this))
    , m_download(new QToolButton(this))
{
    setObjectName(u"artifactsSection"_s);
    m_toggle->setObjectName(u"artifactsToggle"_s);
    m_toggle->setCheckable(true);
    m_toggle->setChecked(true);
    m_toggle->setAutoRaise(true);
    m_toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toggle->setArrowType(Qt::DownArrow);
    m_toggle->setToolTip(tr("Show or hide the sandbox's artifacts: files kept outside the workspace"));
    connect(m_toggle, &QToolButton::clicked, this, [this](bool checked) {
        m_userToggled = true; // from now on the operator decides, not the artifact count
        setExpanded(checked);
    });

    m_view->setObjectName(u"artifactsView"_s);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(false);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        Q_EMIT previewRequested(index.siblingAtColumn(0).data(ArtifactListModel::KeyRole).toString());
    });
    connect(m_view, &QTreeView::customContextMenuRequested, this, &ArtifactsSection::showContextMenu);

    m_preview->setObjectName(u"artifactPreviewButton"_s);
    m_preview->setText(tr("Preview"));
    m_preview->setToolTip(tr("Preview the selected artifact"));
    m_preview->setAutoRaise(true);
    m_download->setObjectName(u"artifactDownloadButton"_s);
    m_download->setText(tr("Download"));
    m_download->setIcon(style()->standardIcon(QStyle::SP_ArrowDown));
    m_download->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_download->setToolTip(tr("Download the selected artifact to the download folder"));
    m_download->setAutoRaise(true);
    connect(m_preview, &QToolButton::clicked, this, [this] {
        if (const QString key = currentKey(); !key.isEmpty())
            Q_EMIT previewRequested(key);
    });
    connect(m_download, &QToolButton::clicked, this, [this] {
        if (const QString key = currentKey(); !key.isEmpty())
            Q_EMIT downloadRequested(key, false);
    });

    auto *title = new QHBoxLayout;
    title->setSpacing(2);
    title->addWidget(m_toggle);
    title->addStretch();
    title->addWidget(m_preview);
    title->addWidget(m_download);
    auto *bodyLayout = new QVBoxLayout(m_body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->addWidget(m_view);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(title);
    layout->addWidget(m_body, 1);
    setExpanded(false);
    updateTitle();
    updateButtons();
}

void ArtifactsSection::setModel(ArtifactListModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_view->setModel(model);
    if (model) {
        QHeaderView *header = m_view->header();
        header->setSectionResizeMode(ArtifactListModel::NameColumn, QHeaderView::Stretch);
        header->resizeSection(ArtifactListModel::SizeColumn, 70);
        header->resizeSection(ArtifactListModel::CreatedColumn, 125);
        header->resizeSection(ArtifactListModel::OriginColumn, 80);
        for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
            connect(model, signal, this, &ArtifactsSection::updateTitle);
        connect(model, &QAbstractItemModel::modelReset, this, &ArtifactsSection::updateTitle);
        connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
                &ArtifactsSection::updateButtons);
    }
    updateTitle();
    updateButtons();
}

QString ArtifactsSection::currentKey() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() ? index.siblingAtColumn(0).data(ArtifactListModel::KeyRole).toString() : QString();
}

bool ArtifactsSection::isExpanded() const
{
    return m_toggle->isChecked();
}

void ArtifactsSection::setExpanded(bool expanded)
{
    m_toggle->setChecked(expanded);
    m_toggle->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    m_body->setVisible(expanded);
    m_preview->setVisible(expanded);
    m_download->setVisible(expanded);
    // Collapsed, the section is its title line: the splitter gives the room back to the tree.
    setMaximumHeight(expanded ? QWIDGETSIZE_MAX : m_toggle->sizeHint().height());
}

void ArtifactsSection::updateTitle()
{
    const int count = m_model ? m_model->rowCount() : 0;
    m_toggle->setText(count > 0 ? tr("Artifacts (%1)").arg(count) : tr("Artifacts (none)"));
    // Open while there is something to see, until the operator says otherwise.
    if (!m_userToggled && (count > 0) != isExpanded())
        setExpanded(count > 0);
    updateButtons();
}

void ArtifactsSection::updateButtons()
{
    const bool any = !currentKey().isEmpty();
    m_preview->setEnabled(any);
    m_download->setEnabled(any);
}

void ArtifactsSection::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_view->indexAt(pos);
    if (!index.isValid())
        return;
    const QString key = index.siblingAtColumn(0).data(ArtifactListModel::KeyRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Preview"), this, [this, key] { Q_EMIT previewRequested(key); });
    menu.addAction(tr("Download"), this, [this, key] { Q_EMIT downloadRequested(key, false); });
    menu.addAction(tr("Download to…"), this, [this, key] { Q_EMIT downloadRequested(key, true); });
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

} // namespace banata
