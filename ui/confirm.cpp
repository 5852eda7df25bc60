// SPDX-License-Identifier: MIT
#include "confirm.h"

#include <QCoreApplication>
#include <QMessageBox>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace banata {

namespace {
constexpr int kListed = 10;

/// Gives the free function a translation context that lupdate understands.
struct KillConfirmation
{
    Q_DECLARE_TR_FUNCTIONS(banata::KillConfirmation)
};

QString bulletList(const QStringList &items)
{
    QStringList lines;
    for (qsizetype i = 0; i < items.size() && i < kListed; ++i)
        lines.append(u"• "_s + items.at(i));
    if (items.size() > kListed)
        lines.append(KillConfirmation::tr("… and %n more", nullptr, int(items.size() - kListed)));
    return lines.join(u'\n');
}
} // namespace

QMessageBox *confirmKill(QWidget *parent, const QStringList &labels, const QStringList &skipped, QObject *context,
                         std::function<void()> onConfirmed)
{
    auto *box = new QMessageBox(parent);
    box->setObjectName(u"killConfirmation"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(KillConfirmation::tr("Kill sandboxes"));
    box->setTextFormat(Qt::PlainText);
    if (labels.size() == 1)
        box->setText(KillConfirmation::tr("Kill sandbox “%1”?").arg(labels.constFirst()));
    else
        box->setText(KillConfirmation::tr("Kill %n sandboxes?", nullptr, int(labels.size())));
    QString info = labels.size() > 1 ? bulletList(labels) + u"\n\n"_s : QString();
    info += KillConfirmation::tr("Every process in them stops and their workspaces are discarded. This cannot be undone.");
    if (!skipped.isEmpty())
        info += u"\n\n"_s + KillConfirmation::tr("Skipped:") + u'\n' + bulletList(skipped);
    box->setInformativeText(info);

    QPushButton *kill = box->addButton(KillConfirmation::tr("Kill"), QMessageBox::DestructiveRole);
    kill->setObjectName(u"confirmKillButton"_s);
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    cancel->setObjectName(u"cancelKillButton"_s);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);

    // \a context as the receiver: a window closed meanwhile never gets the callback.
    QObject::connect(box, &QMessageBox::buttonClicked, context, [kill, onConfirmed](QAbstractButton *button) {
        if (button == kill)
            onConfirmed();
    });
    box->open();
    return box;
}

} // namespace banata
