// SPDX-License-Identifier: MIT
#pragma once

#include "core/sandbox.h"

#include <QSet>
#include <QWidget>

#include <array>

class QToolButton;

namespace banata {

/**
 * One checkable chip per state with its count ("Paused 3"), plus "All". A click shows only that
 * state; Ctrl+click adds or removes it. Chips of states with no sandbox hide unless checked, so
 * the bar stays short.
 */
class StateCountsBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateCountsBar)

public:
    explicit StateCountsBar(QWidget *parent = nullptr);

    void setCounts(const std::array<int, SandboxStatusCount> &counts);
    /// Empty: "All".
    QSet<SandboxStatus> selectedStates() const { return m_selected; }
    void setSelectedStates(const QSet<SandboxStatus> &states);

Q_SIGNALS:
    void selectionChanged(const QSet<banata::SandboxStatus> &states);

private:
    void chipClicked(int index);
    void updateChips();

    QToolButton *m_all;
    std::array<QToolButton *, SandboxStatusCount> m_chips{};
    std::array<int, SandboxStatusCount> m_counts{};
    QSet<SandboxStatus> m_selected;
};

} // namespace banata
