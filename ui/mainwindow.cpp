// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "core/downloads/downloadmanager.h"
#include "models/downloadlistmodel.h"
#include "models/handoffinboxmodel.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "ui/bulkstatus.h"
#include "ui/connectionstatuswidget.h"
#include "ui/downloads/downloadspanel.h"
#include "ui/icons.h"
#include "ui/inboxview.h"
#include "ui/messagebar.h"
#include "ui/notifier.h"
#include "ui/sandboxactionset.h"
#include "ui/sandboxdetailwidget.h"
#include "ui/sandboxfilterbar.h"
#include "ui/sandboxlistview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QSplitter>
#include <QTableView>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcMainWindow, "banata.ui.mainwindow")

namespace banata {

namespace {
/// Arrow keys move through the list faster than a sandbox's history loads: wait for a pause.
constexpr int kDetailDelayMs = 120;
} // namespace

MainWindow::MainWindow(const MainWindowContext &context, QWidget *parent)
    : QMainWindow(parent)
    , m_context(context)
    , m_messageBar(new MessageBar(this))
    , m_list(new SandboxListView(context.sandboxes, context.connections, context.settings, this))
    , m_inbox(new InboxView(context.inbox, context.settings, this))
    , m_detail(new SandboxDetailWidget(context.connections, context.sandboxes, context.journal, context.settings, this))
    , m_mainSplitter(new QSplitter(Qt::Horizontal, this))
    , m_leftSplitter(new QSplitter(Qt::Vertical, this))
    , m_sandboxActions(new SandboxActionSet(context.connections, context.sandboxes, context.journal, context.settings, this))
    , m_bulkProgress(new BulkProgressWidget(this))
    , m_connectionStatus(new ConnectionStatusArea(context.connections, this))
    , m_notifier(new Notifier(context.inbox, context.settings, this, this))
    , m_ownDownloads(context.downloads ? nullptr : std::make_unique<DownloadManager>())
    , m_downloads(context.downloads ? context.downloads : m_ownDownloads.get())
    , m_downloadModel(new DownloadListModel(m_downloads, this))
    , m_downloadsPanel(new DownloadsPanel(m_downloadModel, this))
    , m_downloadsDock(new QDockWidget(tr("Downloads"), this))
{
    setObjectName(u"mainWindow"_s);
    setWindowIcon(QIcon::fromTheme(u"dev.banata.Operator"_s, Icons::badgedAppIcon(0)));
    m_messageBar->setObjectName(u"messageBar"_s);

    m_leftSplitter->setObjectName(u"leftSplitter"_s);
    m_leftSplitter->setChildrenCollapsible(false);
    m_leftSplitter->addWidget(m_inbox);
    m_leftSplitter->addWidget(m_list);
    m_leftSplitter->setStretchFactor(0, 1);
    m_leftSplitter->setStretchFactor(1, 3);
    m_mainSplitter->setObjectName(u"mainSplitter"_s);
    m_mainSplitter->addWidget(m_leftSplitter);
    m_mainSplitter->addWidget(m_detail);
    m_mainSplitter->setStretchFactor(0, 3);
    m_mainSplitter->setStretchFactor(1, 2);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 4, 6, 0);
    layout->setSpacing(4);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_mainSplitter, 1);
    setCentralWidget(central);

    statusBar()->setObjectName(u"statusBar"_s);
    statusBar()->addPermanentWidget(m_bulkProgress);
    statusBar()->addPermanentWidget(m_connectionStatus);

    m_detailDelay.setSingleShot(true);
    m_detailDelay.setInterval(kDetailDelayMs);
    connect(&m_detailDelay, &QTimer::timeout, this, [this] { m_detail->showSandbox(m_pendingDetail); });

    m_detail->setDownloadManager(m_downloads);
    createActions();
    createDownloadsDock();
    createMenusAndToolBar();
    connectSignals();
    restoreLayout();
    updateTitle();
}

MainWindow::~MainWindow()
{
    saveLayout();
    // The panel's view holds the model, which follows the engine: the view goes first.
    delete m_downloadsDock;
}

void MainWindow::openSandbox(const SandboxKey &key)
{
    if (!key.isValid())
        return;
    if (m_context.sandboxes->rowOf(key) < 0) {
        qCDebug(lcMainWindow) << "waiting for" << key.sandboxId << "to be listed";
        m_pendingOpen = key;
        return;
    }
    m_pendingOpen = {};
    m_list->select(key);
    m_detailDelay.stop();
    m_pendingDetail = key;
    m_detail->showSandbox(key);
}

SandboxKey MainWindow::currentSandbox() const
{
    return m_detail->key();
}

QList<SandboxKey> MainWindow::selectedSandboxes() const
{
    return m_list->selectedKeys();
}

QAction *MainWindow::action(SandboxAction action) const
{
    return m_sandboxActions->action(action);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!confirmCloseWithDownloads()) {
        event->ignore();
        return;
    }
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::createActions()
{
    struct Spec
    {
        Action id;
        const char *objectName;
        QString text;
        QKeySequence shortcut;
        QString tip;
    };
    const Spec specs[] = {
        {Action::NewSandbox, "newSandboxAction", tr("&New sandbox…"), QKeySequence(Qt::CTRL | Qt::Key_N),
         tr("Create a sandbox")},
        {Action::Refresh, "refreshAction", tr("&Refresh"), QKeySequence(Qt::Key_F5),
         tr("Fetch every connection's sandboxes again")},
        {Action::FocusSearch, "focusSearchAction", tr("&Find sandboxes"), QKeySequence(Qt::CTRL | Qt::Key_F),
         tr("Filter the list by name, id or metadata")},
        {Action::GoToInbox, "goToInboxAction", tr("Go to &inbox"), QKeySequence(Qt::CTRL | Qt::Key_1),
         tr("Move to the sandboxes that need you")},
        {Action::GoToList, "goToListAction", tr("Go to &list"), QKeySequence(Qt::CTRL | Qt::Key_2),
         tr("Move to the sandbox list")},
        {Action::Settings, "settingsAction", tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
         tr("Your name, notifications and connections")},
        {Action::Quit, "quitAction", tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), tr("Close the window")},
        {Action::AcceptHandoff, "acceptHandoffAction", tr("&Accept handoff"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
         tr("Take over the browser for the request in the inbox or the sandbox shown")},
        {Action::HandBack, "handBackAction", tr("&Hand back…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_H),
         tr("Give the browser back to the agent with an outcome and a note")},
    };
    for (const Spec &spec : specs) {
        auto *qaction = new QAction(spec.text, this);
        qaction->setObjectName(QString::fromLatin1(spec.objectName));
        qaction->setShortcut(spec.shortcut);
        const QString tip = tr("%1 (%2)").arg(spec.tip, spec.shortcut.toString(QKeySequence::NativeText));
        qaction->setToolTip(tip);
        qaction->setStatusTip(tip);
        m_actions[size_t(spec.id)] = qaction;
        addAction(qaction); // shortcuts work even where no menu shows the action
    }
    action(Action::NewSandbox)->setIcon(Icons::icon(Icons::Id::NewSandbox));
    action(Action::Refresh)->setIcon(Icons::icon(Icons::Id::Refresh));
    action(Action::FocusSearch)->setIcon(Icons::icon(Icons::Id::Search));
    action(Action::GoToInbox)->setIcon(Icons::icon(Icons::Id::Inbox));
    action(Action::Settings)->setIcon(Icons::icon(Icons::Id::Settings));
    action(Action::Quit)->setMenuRole(QAction::QuitRole);
    action(Action::Settings)->setMenuRole(QAction::PreferencesRole);
    for (QAction *lifecycle : m_sandboxActions->actions())
        addAction(lifecycle);

    connect(action(Action::NewSandbox), &QAction::triggered, this, &MainWindow::showCreateSandboxDialog);
    connect(action(Action::Refresh), &QAction::triggered, this, &MainWindow::refreshAll);
    connect(action(Action::FocusSearch), &QAction::triggered, m_list->filterBar(), &SandboxFilterBar::focusSearch);
    connect(action(Action::GoToInbox), &QAction::triggered, this, &MainWindow::goToInbox);
    connect(action(Action::GoToList), &QAction::triggered, m_list, &SandboxListView::focusList);
    connect(action(Action::Settings), &QAction::triggered, this, &MainWindow::showSettingsDialog);
    connect(action(Action::Quit), &QAction::triggered, this, &MainWindow::close);
    connect(action(Action::AcceptHandoff), &QAction::triggered, this, &MainWindow::acceptHandoff);
    connect(action(Action::HandBack), &QAction::triggered, this, &MainWindow::handBack);
}

void MainWindow::createMenusAndToolBar()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(Action::NewSandbox));
    file->addSeparator();
    file->addAction(action(Action::Settings));
    file->addSeparator();
    file->addAction(action(Action::Quit));

    QMenu *sandbox = menuBar()->addMenu(tr("&Sandbox"));
    sandbox->addActions(m_sandboxActions->actions());
    sandbox->addSeparator();
    sandbox->addAction(action(Action::AcceptHandoff));
    sandbox->addAction(action(Action::HandBack));
    sandbox->addSeparator();
    sandbox->addAction(action(Action::Refresh));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(Action::FocusSearch));
    view->addAction(action(Action::GoToInbox));
    view->addAction(action(Action::GoToList));
    view->addSeparator();
    view->addAction(action(Action::Downloads));

    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(u"mainToolBar"_s);
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(action(Action::NewSandbox));
    toolBar->addSeparator();
    toolBar->addActions(m_sandboxActions->actions());
    toolBar->addSeparator();
    toolBar->addAction(action(Action::Refresh));

    m_list->setContextActions(m_sandboxActions->actions());
    m_inbox->table()->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_inbox->table()->addAction(action(Action::AcceptHandoff));
}

void MainWindow::restoreLayout()
{
    AppSettings *settings = m_context.settings;
    if (!restoreGeometry(settings->layout(AppSettings::Key::MainWindowGeometry)))
        resize(1280, 800);
    restoreState(settings->layout(AppSettings::Key::MainWindowState));
    // Downloads are not kept between runs: an empty panel waits for the first one.
    if (m_downloads->items().isEmpty())
        m_downloadsDock->hide();
    if (!m_mainSplitter->restoreState(settings->layout(AppSettings::Key::MainSplitterState)))
        m_mainSplitter->setSizes({720, 560});
    m_list->restoreHeaderState();
    m_inbox->restoreHeaderState();
}

void MainWindow::saveLayout()
{
    AppSettings *settings = m_context.settings;
    settings->setLayout(AppSettings::Key::MainWindowGeometry, saveGeometry());
    settings->setLayout(AppSettings::Key::MainWindowState, saveState());
    settings->setLayout(AppSettings::Key::MainSplitterState, m_mainSplitter->saveState());
    m_list->saveHeaderState();
    m_inbox->saveHeaderState();
}

} // namespace banata
