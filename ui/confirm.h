// SPDX-License-Identifier: MIT
#pragma once

#include <QStringList>

#include <functional>

class QMessageBox;
class QObject;
class QWidget;

namespace banata {

/**
 * The one decision dialog of the app: "Kill these sandboxes?". Window-modal and non-blocking
 * (QMessageBox::open), so the event loop keeps running; Cancel is the default button and Escape
 * cancels. \a onConfirmed runs only if the operator clicks Kill while \a context is alive.
 * The box is named "killConfirmation", its buttons "confirmKillButton" and "cancelKillButton".
 * \a skipped lists sandboxes that will be skipped, with why.
 */
QMessageBox *confirmKill(QWidget *parent, const QStringList &labels, const QStringList &skipped, QObject *context,
                         std::function<void()> onConfirmed);

} // namespace banata
