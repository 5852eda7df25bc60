// SPDX-License-Identifier: MIT
#include "statecountsbar.h"

#include "ui/statestyle.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QToolButton>

#include <numeric>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
QToolButton *makeChip(QWidget *parent, const QString &objectName)
{
    auto *chip = new QToolButton(parent);
    chip->setObjectName(objectName);
    chip->setCheckable(true);
    chip->setAutoRaise(true);
    chip->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    chip->setFocusPolicy(Qt::TabFocus);
    return chip;
}
} // namespace

StateCountsBar::StateCountsBar(QWidget *parent)
    : QWidget(parent)
    , m_all(makeChip(this, u"stateChip_all"_s))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_all->setToolTip(tr("Show sandboxes in every state"));
    layout->addWidget(m_all);
    connect(m_all, &QToolButton::clicked, this, [this] { setSelectedStates({}); });

    for (int i = 0; i < SandboxStatusCount; ++i) {
        const auto status = SandboxStatus(i);
        QToolButton *chip = makeChip(this, u"stateChip_"_s + toString(status));
        chip->setIcon(StateStyle::dotIcon(StateStyle::color(status)));
        chip->setToolTip(tr("Show only %1 sandboxes (Ctrl+click to combine states)")
                             .arg(StateStyle::label(status).toLower()));
        layout->addWidget(chip);
        m_chips[size_t(i)] = chip;
        connect(chip, &QToolButton::clicked, this, [this, i] { chipClicked(i); });
    }
    layout->addStretch(1);
    updateChips();
}

void StateCountsBar::setCounts(const std::array<int, SandboxStatusCount> &counts)
{
    if (counts == m_counts)
        return;
    m_counts = counts;
    updateChips();
}

void StateCountsBar::setSelectedStates(const QSet<SandboxStatus> &states)
{
    const bool changed = states != m_selected;
    m_selected = states;
    updateChips();
    if (changed)
        Q_EMIT selectionChanged(m_selected);
}

void StateCountsBar::chipClicked(int index)
{
    const auto status = SandboxStatus(index);
    QSet<SandboxStatus> states = m_selected;
    if (QApplication::keyboardModifiers() & Qt::ControlModifier) {
        if (states.contains(status))
            states.remove(status);
        else
            states.insert(status);
    } else if (states == QSet<SandboxStatus>{status}) {
        // A second click on the only shown state goes back to all.
        states.clear();
    } else {
        states = {status};
    }
    setSelectedStates(states);
}

void StateCountsBar::updateChips()
{
    const int total = std::accumulate(m_counts.begin(), m_counts.end(), 0);
    m_all->setText(tr("All %1").arg(total));
    m_all->setChecked(m_selected.isEmpty());
    for (int i = 0; i < SandboxStatusCount; ++i) {
        const auto status = SandboxStatus(i);
        QToolButton *chip = m_chips[size_t(i)];
        const int count = m_counts[size_t(i)];
        //: state chip: the state, then how many sandboxes are in it ("Paused 3")
        chip->setText(tr("%1 %2").arg(StateStyle::label(status)).arg(count));
        chip->setChecked(m_selected.contains(status));
        chip->setVisible(count > 0 || m_selected.contains(status));
    }
}

} // namespace banata
