// SPDX-License-Identifier: MIT
// MainWindow's Downloads dock: shown when a download starts, toggled with Ctrl+Shift+J, titled with
// the number running; and the question before closing stops running downloads.
#include <QAction>
#include <QDockWidget>
#include <QListView>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QPushButton>

#include "core/downloads/downloadmanager.h"
#include "mainwindow.h"
#include "ui/downloads/downloadspanel.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMainWindowDownloads, "banata.ui.mainwindow.downloads")

namespace banata {

void MainWindow::createDownloadsDock()
{
    m_downloadsDock->setObjectName(u"downloadsDock"_s);
    m_downloadsDock->setWidget(m_downloadsPanel);
    m_downloadsDock->setAllowedAreas(Qt::BottomDockWidgetArea | Qt::RightDockWidgetArea);
    addDockWidget(Qt::BottomDockWidgetArea, m_downloadsDock);
    m_downloadsDock->hide();

    // The dock's own toggle: it stays in step however the dock is closed, and takes its title.
    QAction *toggle = m_downloadsDock->toggleViewAction();
    toggle->setObjectName(u"downloadsAction"_s);
    toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J));
    const QString tip =
        tr("Show or hide the downloads (%1)").arg(toggle->shortcut().toString(QKeySequence::NativeText));
    toggle->setToolTip(tip);
    toggle->setStatusTip(tip);
    m_actions[size_t(Action::Downloads)] = toggle;
    addAction(toggle);
    connect(toggle, &QAction::triggered, this, [this](bool shown) {
        if (shown)
            m_downloadsPanel->view()->setFocus(Qt::ShortcutFocusReason);
    });

    connect(m_downloads, &DownloadManager::itemAdded, this, [this] {
        m_downloadsDock->show();
        m_downloadsDock->raise();
        updateDownloadsTitle();
    });
    connect(m_downloads, &DownloadManager::itemChanged, this, &MainWindow::updateDownloadsTitle);
    connect(m_downloads, &DownloadManager::itemRemoved, this, &MainWindow::updateDownloadsTitle);
    updateDownloadsTitle();
}

void MainWindow::updateDownloadsTitle()
{
    const int active = m_downloads->activeCount();
    //: the Downloads dock's title and the View menu's entry, with how many run
    const QString title = active > 0 ? tr("Downloads (%1)").arg(active) : tr("Downloads");
    if (m_downloadsDock->windowTitle() != title)
        m_downloadsDock->setWindowTitle(title);
}

bool MainWindow::confirmCloseWithDownloads()
{
    const int active = m_downloads->activeCount();
    if (active == 0 || m_closeConfirmed)
        return true;
    if (m_closeQuestion) {
        m_closeQuestion->raise();
        m_closeQuestion->activateWindow();
        return false;
    }
    auto *box = new QMessageBox(this);
    box->setObjectName(u"closeWithDownloadsConfirmation"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Question);
    box->setWindowTitle(tr("Downloads running"));
    box->setTextFormat(Qt::PlainText);
    box->setText(tr("%n download(s) still running. Quit anyway?", nullptr, active));
    box->setInformativeText(tr("Quitting stops them and deletes their partial files."));
    QPushButton *quit = box->addButton(tr("&Quit and stop them"), QMessageBox::DestructiveRole);
    quit->setObjectName(u"closeAnywayButton"_s);
    QPushButton *keep = box->addButton(tr("&Keep downloading"), QMessageBox::RejectRole);
    keep->setObjectName(u"keepDownloadingButton"_s);
    box->setDefaultButton(keep);
    box->setEscapeButton(keep);
    connect(box, &QMessageBox::buttonClicked, this, [this, quit](QAbstractButton *button) {
        if (button != quit)
            return;
        qCDebug(lcMainWindowDownloads) << "closing: stopping" << m_downloads->activeCount() << "downloads";
        for (const DownloadItem &item : m_downloads->items()) {
            if (!item.isFinished())
                m_downloads->cancel(item.id);
        }
        m_closeConfirmed = true;
        close();
        // Shown again (the tray, a test), the window asks again next time.
        m_closeConfirmed = false;
    });
    m_closeQuestion = box;
    m_downloadsDock->show();
    box->open();
    return false;
}

} // namespace banata
