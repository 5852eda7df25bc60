// SPDX-License-Identifier: MIT
#include "timelinepanel.h"

#include "models/timelinemodel.h"
#include "session/connection.h"
#include "session/sandboxsession.h"
#include "ui/icons.h"
#include "ui/messagebar.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLoggingCategory>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcTimelinePanel, "banata.ui.timeline")

namespace banata {

TimelinePanel::TimelinePanel(QWidget *parent)
    : QWidget(parent)
    , m_message(new MessageBar(this))
    , m_table(new QTableView(this))
    , m_detail(new QPlainTextEdit(this))
    , m_export(new QPushButton(Icons::icon(Icons::Id::Export), tr("Export…"), this))
{
    setObjectName(u"timelinePanel"_s);
    m_message->setObjectName(u"timelineMessage"_s);
    m_table->setObjectName(u"timelineTable"_s);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_detail->setObjectName(u"timelineDetail"_s);
    m_detail->setReadOnly(true);
    m_detail->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_detail->setPlaceholderText(tr("Select an entry to see its details."));
    m_export->setObjectName(u"exportTimelineButton"_s);
    m_export->setToolTip(tr("Save this timeline as JSON or CSV"));
    connect(m_export, &QPushButton::clicked, this, &TimelinePanel::chooseExportFile);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttons);
    setSession(nullptr);
}

void TimelinePanel::setSession(SandboxSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_message->dismiss();
    m_detail->clear();
    m_table->setModel(session ? session->timeline() : nullptr);
    m_export->setEnabled(session != nullptr);
    if (!session)
        return;
    TimelineModel *timeline = session->timeline();
    m_table->horizontalHeader()->setSectionResizeMode(TimelineModel::SummaryColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->resizeSection(TimelineModel::TimeColumn, 140);
    m_table->horizontalHeader()->resizeSection(TimelineModel::WhoColumn, 70);
    m_table->horizontalHeader()->resizeSection(TimelineModel::WhatColumn, 150);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &TimelinePanel::showSelectedEntry);
    connect(timeline, &QAbstractItemModel::rowsAboutToBeInserted, this, [this] {
        // Keep following the newest entry if the reader is at the end.
        QScrollBar *bar = m_table->verticalScrollBar();
        m_table->setProperty("followEnd", bar->value() >= bar->maximum() - 2);
    });
    connect(timeline, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_table->property("followEnd").toBool())
            m_table->scrollToBottom();
    });
    connect(session, &SandboxSession::loadErrorChanged, this, [this](const QString &error) {
        if (error.isEmpty())
            m_message->dismiss();
        else
            m_message->showMessage(error, MessageBar::Warning);
    });
    m_table->scrollToBottom();
}

QString TimelinePanel::exportTo(const QString &path, Format format)
{
    if (!m_session)
        return tr("No sandbox selected.");
    QSaveFile file(path);
    QString error;
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        error = file.errorString();
    } else {
        const TimelineModel *timeline = m_session->timeline();
        const bool written = format == Format::Json ? timeline->exportJson(&file) : timeline->exportCsv(&file);
        if (!written)
            error = file.errorString().isEmpty() ? tr("writing failed") : file.errorString();
        else if (!file.commit())
            error = file.errorString();
    }
    if (!error.isEmpty()) {
        qCWarning(lcTimelinePanel) << "export failed:" << error;
        m_message->showMessage(tr("Could not export the timeline to %1: %2").arg(QDir::toNativeSeparators(path), error),
                               MessageBar::Error);
        return error;
    }
    const int rows = m_session->timeline()->rowCount();
    m_message->showMessage((rows == 1 ? tr("Exported 1 entry to %1") : tr("Exported %n entries to %1", nullptr, rows))
                               .arg(QDir::toNativeSeparators(path)),
                           MessageBar::Positive, 6000);
    return {};
}

void TimelinePanel::chooseExportFile()
{
    if (!m_session)
        return;
    const QString csvFilter = tr("CSV (*.csv)");
    const QString jsonFilter = tr("JSON (*.json)");
    auto *dialog = new QFileDialog(this, tr("Export timeline"));
    dialog->setObjectName(u"exportTimelineDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({csvFilter, jsonFilter});
    dialog->setDefaultSuffix(u"csv"_s);
    dialog->setDirectory(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation));
    dialog->selectFile(u"timeline-%1.csv"_s.arg(m_session->sandboxId()));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog, jsonFilter](const QString &filter) {
        dialog->setDefaultSuffix(filter == jsonFilter ? u"json"_s : u"csv"_s);
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this, dialog, jsonFilter](const QString &path) {
        // The suffix decides; the chosen filter only when the name has neither.
        const QString suffix = QFileInfo(path).suffix().toLower();
        const bool json = suffix == u"json"_s || (suffix != u"csv"_s && dialog->selectedNameFilter() == jsonFilter);
        exportTo(path, json ? Format::Json : Format::Csv);
    });
    dialog->open();
}

void TimelinePanel::showSelectedEntry()
{
    const QModelIndex index = m_table->currentIndex();
    m_detail->setPlainText(index.isValid() ? index.siblingAtColumn(0).data(TimelineModel::DetailRole).toString() : QString());
}

} // namespace banata
