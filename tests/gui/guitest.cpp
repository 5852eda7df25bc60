// SPDX-License-Identifier: MIT
#include "guitest.h"

#include "core/downloads/downloadmanager.h"
#include "models/sandboxlistmodel.h"
#include "session/appsettings.h"
#include "session/connectionmanager.h"
#include "support/awaitjob.h"
#include "ui/mainwindow.h"
#include "ui/sandboxlistview.h"

#include <QApplication>
#include <QDir>
#include <QTest>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace banata::test {

namespace {
constexpr int kStartTimeoutMs = 30000;
}

GuiFixture::GuiFixture() = default;

GuiFixture::~GuiFixture()
{
    // The window first (it holds the models), then the app, then the server.
    m_app.reset();
}

bool GuiFixture::start(const QStringList &serverArgs)
{
    if (!m_tempDir.isValid()) {
        m_error = u"no temporary directory"_s;
        return false;
    }
    if (!m_server.start(serverArgs)) {
        m_error = m_server.errorString();
        return false;
    }
    m_client = std::make_unique<ApiClient>(&m_network, m_server.url(), m_server.apiKey());

    AppOptions options;
    options.connectUrl = m_server.url();
    options.apiKey = m_server.apiKey();
    options.settingsFile = m_tempDir.filePath(u"settings.ini"_s);
    options.journalFile = m_tempDir.filePath(u"journal.jsonl"_s);
    options.useKeychain = false;
    m_app = std::make_unique<AppController>(options);
    m_app->settings()->setOperatorName(u"ana"_s);
    if (!QDir().mkpath(downloadFolder())) {
        m_error = u"cannot create "_s + downloadFolder();
        return false;
    }
    m_app->settings()->setDownloadFolder(downloadFolder());
    m_app->start();
    MainWindow *w = m_app->window();
    w->show();
    w->activateWindow();
    if (!QTest::qWaitForWindowActive(w)) {
        m_error = u"the window did not become active"_s;
        return false;
    }
    const bool online = waitUntil([this] {
        const auto &all = m_app->connections()->connections();
        return !all.isEmpty() && (all.constFirst()->status() == Connection::Status::Online
                                  || all.constFirst()->status() == Connection::Status::Polling);
    }, kStartTimeoutMs);
    if (!online) {
        const auto &all = m_app->connections()->connections();
        m_error = u"the app did not connect: "_s + (all.isEmpty() ? u"no connection"_s : all.constFirst()->statusText());
        return false;
    }
    return true;
}

MainWindow *GuiFixture::window() const
{
    return m_app ? m_app->window() : nullptr;
}

DownloadManager *GuiFixture::downloads() const
{
    return m_app ? m_app->downloads() : nullptr;
}

QString GuiFixture::connectionId() const
{
    const auto &all = m_app->connections()->connections();
    return all.isEmpty() ? QString() : all.constFirst()->id();
}

Sandbox GuiFixture::createSandbox(const QString &name, const Json &metadata)
{
    CreateSandboxRequest request;
    request.runtime = u"base"_s;
    request.name = name;
    request.metadata = metadata;
    return create(request);
}

Sandbox GuiFixture::createBrowserSandbox(const QString &name)
{
    CreateSandboxRequest request;
    request.runtime = u"base"_s;
    request.name = name;
    Capabilities capabilities;
    capabilities.browser = BrowserCapability{Viewport{1280, 800}, false, std::nullopt};
    request.capabilities = capabilities;
    Sandbox sandbox = create(request);
    if (sandbox.id.isEmpty())
        return sandbox;
    const auto started = awaitJob(m_client->startPreview(sandbox.id), kStartTimeoutMs);
    if (!started || !started->ok()) {
        qWarning("the browser of %s did not start: %s", qPrintable(sandbox.id),
                 qPrintable(started ? started->error().displayText() : u"timeout"_s));
        return {};
    }
    return sandbox;
}

Sandbox GuiFixture::create(const CreateSandboxRequest &request)
{
    const auto result = awaitJob(m_client->createSandbox(request));
    if (!result || !result->ok()) {
        qWarning("createSandbox failed: %s", qPrintable(result ? result->error().displayText() : u"timeout"_s));
        return {};
    }
    const Sandbox sandbox = result->value();
    if (!waitForStatus(sandbox.id, SandboxStatus::Ready))
        qWarning("sandbox %s did not show as ready", qPrintable(sandbox.id));
    return sandbox;
}

std::optional<SandboxStatus> GuiFixture::listedStatus(const QString &sandboxId) const
{
    const SandboxListModel *model = m_app->sandboxes();
    const int row = model->rowOf(keyOf(sandboxId));
    if (row < 0)
        return std::nullopt;
    return model->sandboxAt(row)->status;
}

bool GuiFixture::waitForStatus(const QString &sandboxId, SandboxStatus status, int timeoutMs) const
{
    return waitUntil([&] { return listedStatus(sandboxId) == status; }, timeoutMs);
}

QTreeView *GuiFixture::listView() const
{
    return window()->sandboxList()->view();
}

int GuiFixture::visibleRows() const
{
    return listView()->model()->rowCount();
}

bool GuiFixture::activate() const
{
    if (QApplication::activeWindow() == window())
        return true;
    window()->activateWindow();
    return QTest::qWaitForWindowActive(window());
}

bool GuiFixture::selectInList(const QStringList &sandboxIds) const
{
    // A dialog that just closed may leave no active window; shortcuts need this one active.
    if (!activate())
        return false;
    QTreeView *view = listView();
    const QAbstractItemModel *proxy = view->model();
    bool first = true;
    for (const QString &id : sandboxIds) {
        QModelIndex found;
        for (int row = 0; row < proxy->rowCount() && !found.isValid(); ++row) {
            const QModelIndex index = proxy->index(row, SandboxListModel::NameColumn);
            if (index.data(SandboxListModel::SandboxIdRole).toString() == id)
                found = index;
        }
        if (!found.isValid())
            return false;
        // Clicks, as the operator would: plain for the first, Ctrl for the others.
        view->scrollTo(found);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, first ? Qt::NoModifier : Qt::ControlModifier,
                          view->visualRect(found).center());
        first = false;
    }
    view->setFocus(Qt::OtherFocusReason);
    return true;
}

} // namespace banata::test
