// SPDX-License-Identifier: MIT
#include "uploadsstrip.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "models/modeltext.h"
#include "ui/files/filetext.h"

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kDoneLingerMs = 3000;
}

/// One upload's row: its widgets, owned by the strip's layout.
struct UploadsStrip::Row
{
    QWidget *widget = nullptr;
    QLabel *name = nullptr;
    QProgressBar *progress = nullptr;
    QLabel *status = nullptr;
    QToolButton *button = nullptr;
    UploadItem::State state = UploadItem::State::Running;
};

UploadsStrip::UploadsStrip(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QVBoxLayout(this))
{
    setObjectName(u"uploadsStrip"_s);
    m_layout->setContentsMargins(0, 2, 0, 2);
    m_layout->setSpacing(2);
    hide();
}

void UploadsStrip::reset(const QList<UploadItem> &uploads)
{
    for (auto it = m_rows.cbegin(); it != m_rows.cend(); ++it)
        delete it.value()->widget;
    qDeleteAll(m_rows);
    m_rows.clear();
    for (const UploadItem &upload : uploads) {
        if (upload.state == UploadItem::State::Running || upload.state == UploadItem::State::Failed)
            updateUpload(upload);
    }
    setVisible(!m_rows.isEmpty());
}

void UploadsStrip::updateUpload(const UploadItem &upload)
{
    Row *row = m_rows.value(upload.id);
    if (!row) {
        if (upload.state == UploadItem::State::Cancelled)
            return;
        row = new Row;
        row->widget = new QWidget(this);
        row->widget->setObjectName(u"uploadRow"_s);
        row->name = new QLabel(row->widget);
        row->name->setObjectName(u"uploadName"_s);
        row->name->setTextFormat(Qt::PlainText);
        row->progress = new QProgressBar(row->widget);
        row->progress->setObjectName(u"uploadProgress"_s);
        row->progress->setMaximumHeight(row->name->sizeHint().height());
        row->progress->setTextVisible(true);
        row->status = new QLabel(row->widget);
        row->status->setObjectName(u"uploadStatus"_s);
        row->status->setTextFormat(Qt::PlainText);
        row->status->setWordWrap(true);
        row->button = new QToolButton(row->widget);
        row->button->setObjectName(u"uploadCancelButton"_s);
        row->button->setAutoRaise(true);
        row->button->setIcon(style()->standardIcon(QStyle::SP_DialogCancelButton));
        auto *layout = new QHBoxLayout(row->widget);
        layout->setContentsMargins(4, 0, 4, 0);
        layout->addWidget(row->name);
        layout->addWidget(row->progress, 1);
        layout->addWidget(row->status, 1);
        layout->addWidget(row->button);
        const int id = upload.id;
        connect(row->button, &QToolButton::clicked, this, [this, id] {
            Row *current = m_rows.value(id);
            if (current && current->state == UploadItem::State::Running)
                Q_EMIT cancelRequested(id);
            else
                removeRow(id);
        });
        m_rows.insert(upload.id, row);
        m_layout->addWidget(row->widget);
        show();
    }
    row->state = upload.state;
    row->name->setText(filetext::fileName(upload.localPath));
    row->name->setToolTip(tr("%1 → %2").arg(upload.localPath, upload.remotePath));
    switch (upload.state) {
    case UploadItem::State::Running: {
        // Progress in per mille: a file over 2 GiB does not fit the bar's int.
        const int permille = upload.total > 0 ? int(upload.sent * 1000 / upload.total) : 0;
        row->progress->setRange(0, upload.total > 0 ? 1000 : 0);
        row->progress->setValue(permille);
        row->progress->setFormat(
            tr("%1 of %2").arg(modeltext::sizeText(upload.sent), modeltext::sizeText(upload.total)));
        row->progress->show();
        row->status->hide();
        row->button->setToolTip(tr("Cancel this upload"));
        break;
    }
    case UploadItem::State::Completed: {
        row->progress->hide();
        row->status->setStyleSheet(QString());
        row->status->setText(tr("Uploaded to %1").arg(upload.remotePath));
        row->status->show();
        row->button->setToolTip(tr("Dismiss"));
        const int id = upload.id;
        QTimer::singleShot(kDoneLingerMs, this, [this, id] {
            if (Row *done = m_rows.value(id); done && done->state == UploadItem::State::Completed)
                removeRow(id);
        });
        break;
    }
    case UploadItem::State::Failed:
        row->progress->hide();
        row->status->setStyleSheet(u"color: #c63333;"_s);
        row->status->setText(tr("Upload failed: %1").arg(upload.error));
        row->status->show();
        row->button->setToolTip(tr("Dismiss"));
        break;
    case UploadItem::State::Cancelled:
        removeRow(upload.id);
        break;
    }
}

void UploadsStrip::removeRow(int id)
{
    Row *row = m_rows.take(id);
    if (!row)
        return;
    row->widget->deleteLater();
    delete row;
    if (m_rows.isEmpty())
        hide();
}

} // namespace banata
