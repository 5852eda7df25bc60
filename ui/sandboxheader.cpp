// SPDX-License-Identifier: MIT
#include "sandboxheader.h"

#include "ui/icons.h"
#include "ui/statestyle.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
enum Field { ConnectionField, RuntimeField, CapabilitiesField, CreatedField, ReadyField, PausedField, EndedField, FieldCount };

QString timeText(std::optional<qint64> ms)
{
    if (!ms || *ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(*ms), QLocale::ShortFormat);
}
} // namespace

StateBadge::StateBadge(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void StateBadge::setStatus(SandboxStatus status)
{
    m_status = status;
    setAccessibleName(text());
    updateGeometry();
    update();
}

QString StateBadge::text() const
{
    return StateStyle::label(m_status);
}

QSize StateBadge::sizeHint() const
{
    const QFontMetricsF metrics(font());
    return QSize(int(StateStyle::badgeWidth(metrics, text())) + 2, int(metrics.height()) + 6);
}

void StateBadge::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    StateStyle::paintBadge(&painter, rect(), m_status, text(), palette());
}

SandboxHeader::SandboxHeader(QWidget *parent)
    : QWidget(parent)
    , m_name(new QLabel(this))
    , m_badge(new StateBadge(this))
    , m_reason(new QLabel(this))
    , m_id(new QLabel(this))
    , m_copyId(new QToolButton(this))
    , m_grid(new QGridLayout)
    , m_metadataToggle(new QToolButton(this))
    , m_metadata(new QPlainTextEdit(this))
    , m_gone(new QLabel(this))
{
    m_name->setObjectName(u"detailName"_s);
    QFont nameFont = m_name->font();
    nameFont.setBold(true);
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.25);
    m_name->setFont(nameFont);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_name->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Preferred);
    m_badge->setObjectName(u"detailState"_s);
    m_reason->setObjectName(u"detailStatusReason"_s);
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_id->setObjectName(u"detailId"_s);
    m_id->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_id->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_copyId->setObjectName(u"copyIdButton"_s);
    m_copyId->setAutoRaise(true);
    m_copyId->setIcon(Icons::icon(Icons::Id::Copy));
    m_copyId->setToolTip(tr("Copy the sandbox ID"));
    connect(m_copyId, &QToolButton::clicked, this, [this] { QApplication::clipboard()->setText(m_sandboxId); });
    m_gone->setObjectName(u"detailGone"_s);
    m_gone->setText(tr("This sandbox is no longer listed; what you see is its last known state."));
    m_gone->setWordWrap(true);
    m_gone->hide();

    auto *titleRow = new QHBoxLayout;
    titleRow->setSpacing(8);
    titleRow->addWidget(m_name);
    titleRow->addWidget(m_badge);
    titleRow->addWidget(m_reason, 1);
    titleRow->addStretch(0); // keeps the badge beside the name when there is no reason
    auto *idRow = new QHBoxLayout;
    idRow->setSpacing(2);
    idRow->addWidget(m_id);
    idRow->addWidget(m_copyId);
    idRow->addStretch(1);

    const QStringList names = {tr("Connection"), tr("Runtime"), tr("Capabilities"), tr("Created"),
                               tr("Ready"),      tr("Paused"),  tr("Ended")};
    m_grid->setHorizontalSpacing(10);
    m_grid->setVerticalSpacing(2);
    for (int field = 0; field < FieldCount; ++field) {
        auto *label = new QLabel(names.at(field) + u':', this);
        label->setForegroundRole(QPalette::PlaceholderText);
        auto *value = new QLabel(this);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setObjectName(u"detailField_"_s + QString::number(field));
        m_grid->addWidget(label, field / 2, (field % 2) * 2);
        m_grid->addWidget(value, field / 2, (field % 2) * 2 + 1);
        m_labels.append(label);
        m_values.append(value);
    }
    m_grid->setColumnStretch(1, 1);
    m_grid->setColumnStretch(3, 1);

    m_metadataToggle->setObjectName(u"metadataToggle"_s);
    m_metadataToggle->setCheckable(true);
    m_metadataToggle->setAutoRaise(true);
    m_metadataToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_metadataToggle->setArrowType(Qt::RightArrow);
    m_metadataToggle->setText(tr("Metadata"));
    m_metadata->setObjectName(u"detailMetadata"_s);
    m_metadata->setReadOnly(true);
    m_metadata->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_metadata->setMaximumHeight(140);
    m_metadata->hide();
    connect(m_metadataToggle, &QToolButton::toggled, this, [this](bool open) {
        m_metadata->setVisible(open);
        m_metadataToggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(titleRow);
    layout->addLayout(idRow);
    layout->addWidget(m_gone);
    layout->addLayout(m_grid);
    layout->addWidget(m_metadataToggle, 0, Qt::AlignLeft);
    layout->addWidget(m_metadata);
}

void SandboxHeader::setSandbox(const Sandbox &sandbox, const QString &connectionName)
{
    m_sandboxId = sandbox.id;
    m_name->setText(sandbox.name && !sandbox.name->isEmpty() ? *sandbox.name : sandbox.id);
    m_badge->setStatus(sandbox.status);
    m_reason->setText(sandbox.statusReason.value_or(QString()));
    m_reason->setVisible(sandbox.statusReason.has_value() && !sandbox.statusReason->isEmpty());
    m_id->setText(sandbox.id);

    QStringList runtime = {sandbox.runtime, sandbox.size};
    if (sandbox.region)
        runtime.append(*sandbox.region);
    runtime.removeAll(QString());
    setRow(ConnectionField, connectionName);
    setRow(RuntimeField, runtime.join(u" · "_s));
    setRow(CapabilitiesField, capabilitiesText(sandbox));
    setRow(CreatedField, timeText(sandbox.createdAt));
    setRow(ReadyField, timeText(sandbox.readyAt));
    setRow(PausedField, sandbox.status == SandboxStatus::Paused ? timeText(sandbox.pausedAt) : QString());
    setRow(EndedField, timeText(sandbox.endedAt));

    const bool hasMetadata = sandbox.metadata.is_object() && !sandbox.metadata.empty();
    m_metadataToggle->setEnabled(hasMetadata);
    const int keys = hasMetadata ? int(sandbox.metadata.size()) : 0;
    m_metadataToggle->setText(keys == 0   ? tr("No metadata")
                              : keys == 1 ? tr("Metadata (1 key)")
                                          : tr("Metadata (%n keys)", nullptr, keys));
    const QString pretty = hasMetadata ? fromStd(sandbox.metadata.dump(2)) : QString();
    if (m_metadata->toPlainText() != pretty)
        m_metadata->setPlainText(pretty);
}

void SandboxHeader::setGone(bool gone)
{
    m_gone->setVisible(gone);
}

QString SandboxHeader::capabilitiesText(const Sandbox &sandbox)
{
    if (!sandbox.capabilities || sandbox.capabilities->isEmpty())
        return tr("none");
    const Capabilities &caps = *sandbox.capabilities;
    QStringList parts;
    if (caps.browser) {
        parts.append(caps.browser->viewport ? tr("browser %1×%2").arg(caps.browser->viewport->width).arg(caps.browser->viewport->height)
                                            : tr("browser"));
    }
    if (caps.agent)
        parts.append(caps.agent->enabled ? tr("agent") : tr("agent (off)"));
    if (caps.documents)
        parts.append(tr("documents"));
    if (caps.storage)
        parts.append(tr("storage"));
    return parts.join(u", "_s);
}

void SandboxHeader::setRow(int row, const QString &value)
{
    m_values[row]->setText(value);
    m_values[row]->setVisible(!value.isEmpty());
    m_labels[row]->setVisible(!value.isEmpty());
}

} // namespace banata
