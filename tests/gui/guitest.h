// SPDX-License-Identifier: MIT
#pragma once

#include "app/appcontroller.h"
#include "core/client/apiclient.h"
#include "core/sandbox.h"
#include "models/sandboxkey.h"
#include "support/localserver.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QNetworkAccessManager>
#include <QTest>
#include <QTemporaryDir>
#include <QWidget>

#include <memory>

class QTreeView;

namespace banata {
class DownloadManager;
}

namespace banata::test {

/**
 * What every GUI test starts from: a real banata-local, the real app (AppController with
 * --connect to that server, settings and journal in a temp dir, downloads into an empty temp
 * folder, keys in memory) with its window shown and active, and an ApiClient on the same server
 * to act as an agent or another operator.
 * Usage:
 *   GuiFixture f;
 *   QVERIFY2(f.start(), qPrintable(f.errorString()));
 *   const Sandbox s = f.createSandbox(u"alpha"_s);
 */
class GuiFixture final
{
public:
    GuiFixture();
    ~GuiFixture();
    Q_DISABLE_COPY_MOVE(GuiFixture)

    /// Starts the server (with \a serverArgs) and the app, and waits until the app is connected.
    bool start(const QStringList &serverArgs = {});
    QString errorString() const { return m_error; }

    AppController *app() const { return m_app.get(); }
    MainWindow *window() const;
    const ApiClient &client() const { return *m_client; }
    QString connectionId() const;
    QString tempPath(const QString &name) const { return m_tempDir.filePath(name); }
    /// The app's download engine, and the folder its settings send downloads to (empty at start).
    DownloadManager *downloads() const;
    QString downloadFolder() const { return m_tempDir.filePath(QStringLiteral("downloads")); }
    /// The server, to stop or freeze it under a running download.
    LocalServer &server() { return m_server; }

    /// Creates a sandbox through the API (not the UI) and waits until the window lists it ready.
    Sandbox createSandbox(const QString &name, const Json &metadata = Json::object());
    /// The same with a browser (1280×800), waiting until its Chromium runs.
    Sandbox createBrowserSandbox(const QString &name);
    SandboxKey keyOf(const QString &sandboxId) const { return {connectionId(), sandboxId}; }
    /// The sandbox's state as the list model has it; nullopt when not listed.
    std::optional<SandboxStatus> listedStatus(const QString &sandboxId) const;
    /// Waits (event loop) until the list shows \a sandboxId in \a status.
    bool waitForStatus(const QString &sandboxId, SandboxStatus status, int timeoutMs = 15000) const;

    QTreeView *listView() const;
    /// Rows the list view shows now.
    int visibleRows() const;
    /// Makes the window the active one again (window shortcuts need it). Under Xvfb there is no
    /// window manager to give it back after a web view took the X input focus.
    bool activate() const;
    /// Selects exactly these sandboxes in the list view, the first one current, and focuses it.
    bool selectInList(const QStringList &sandboxIds) const;

    /// A widget of this fixture's window by objectName (its dialogs are its children too).
    template <typename T>
    T *find(const QString &objectName) const
    {
        return window() ? window()->findChild<T *>(objectName) : nullptr;
    }

private:
    Sandbox create(const CreateSandboxRequest &request);

    QTemporaryDir m_tempDir;
    LocalServer m_server;
    QNetworkAccessManager m_network;
    std::unique_ptr<ApiClient> m_client;
    std::unique_ptr<AppController> m_app;
    QString m_error;
};

} // namespace banata::test
