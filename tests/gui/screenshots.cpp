// SPDX-License-Identifier: MIT
// Takes pictures of the real app against a real banata-local with a prepared scene: sandboxes
// in several states, a pending handoff on a live page, a console run. Writes PNGs to the folder
// given (default docs/screenshots). Needs a display and the viewer plugin: run it through
// scripts/screenshots.sh. Usage: gui_screenshots [folder]
#include "guitest.h"

#include "core/client/apiclient.h"
#include "support/awaitjob.h"
#include "ui/browserpanel.h"
#include "ui/mainwindow.h"
#include "ui/sandboxdetailwidget.h"

#include <QApplication>
#include <QDir>
#include <QAbstractItemView>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTest>

#include <cstdio>

using namespace banata;
using namespace banata::test;
using namespace Qt::StringLiterals;

namespace {

bool save(QWidget *window, const QString &path)
{
    QCoreApplication::processEvents();
    const bool ok = window->grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "FAILED", qPrintable(path));
    return ok;
}

// The page the "checkout" sandbox's browser shows while it waits for a person.
const char kBankPage[] = R"(<!doctype html><title>Acme Bank — verify</title>
<body style="font-family:sans-serif;background:#f4f6fa;margin:0">
<div style="background:#123d6b;color:white;padding:18px 32px;font-size:22px">Acme Bank</div>
<div style="max-width:460px;margin:60px auto;background:white;padding:32px;border-radius:8px;box-shadow:0 2px 8px #0002">
<h2 style="margin-top:0">Confirm it's you</h2>
<p>We sent a 6-digit code to the phone ending in 42.</p>
<input placeholder="6-digit code" style="font-size:24px;width:100%;padding:8px;letter-spacing:6px">
<button style="margin-top:16px;font-size:18px;padding:8px 24px;background:#123d6b;color:white;border:0;border-radius:4px">Verify</button>
</div></body>)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(u"Banata Operator"_s);
    const QString folder = app.arguments().value(1, QStringLiteral(BANATA_SOURCE_DIR "/docs/screenshots"));
    QDir().mkpath(folder);

    GuiFixture fixture;
    if (!fixture.start()) {
        std::fprintf(stderr, "%s\n", qPrintable(fixture.errorString()));
        return 1;
    }
    const ApiClient &client = fixture.client();
    const Sandbox report = fixture.createSandbox(u"nightly sales report"_s, Json{{"team", "finance"}, {"jobId", "4821"}});
    const Sandbox checkout = fixture.createBrowserSandbox(u"checkout flow test"_s);
    const Sandbox scraper = fixture.createSandbox(u"invoice scraper"_s, Json{{"vendor", "acme"}});
    const Sandbox lint = fixture.createSandbox(u"lint fixer"_s);
    const Sandbox docs = fixture.createSandbox(u"docs translation"_s, Json{{"lang", "de"}});
    for (const Sandbox &s : {report, checkout, scraper, lint, docs})
        fixture.waitForStatus(s.id, SandboxStatus::Ready);
    awaitJob(client.pauseSandbox(scraper.id));
    awaitJob(client.killSandbox(lint.id));
    ExecRequest exec;
    exec.id = report.id;
    exec.command = u"mkdir -p /workspace/out && echo 'region,total' > /workspace/out/sales.csv"_s;
    awaitJob(client.exec(exec));
    FileWriteRequest page;
    page.id = checkout.id;
    page.path = u"/workspace/bank.html"_s;
    page.bytes = QByteArray(kBankPage);
    awaitJob(client.writeFile(page));
    awaitJob(client.navigatePreview(checkout.id, u"file:///workspace/bank.html"_s));
    HandoffRequest handoff;
    handoff.id = checkout.id;
    handoff.reason = u"mfa"_s;
    handoff.message = u"The bank asks for the 6-digit code sent to the finance phone."_s;
    awaitJob(client.requestHandoff(handoff));
    fixture.waitForStatus(lint.id, SandboxStatus::Ended);
    fixture.waitForStatus(scraper.id, SandboxStatus::Paused);

    MainWindow *window = fixture.window();
    window->resize(1360, 820);
    waitUntil([&] { return fixture.find<QWidget>(u"inboxTable"_s) && fixture.visibleRows() == 5; }, 10000);

    window->openSandbox(fixture.keyOf(report.id));
    bool ok = true;
    window->detail()->showTab(SandboxDetailWidget::ConsoleTab);
    auto *command = fixture.find<QLineEdit>(u"consoleCommandEdit"_s);
    if (command) {
        QTest::keyClicks(command, u"cat /workspace/out/sales.csv; uname -sr"_s);
        QTest::keyClick(command, Qt::Key_Return);
        waitUntil(
            [&] {
                auto *output = fixture.find<QPlainTextEdit>(u"consoleOutput"_s);
                return output && output->toPlainText().contains(u"Linux"_s);
            },
            10000);
    }
    ok &= save(window, folder + u"/main-window.png"_s);

    window->openSandbox(fixture.keyOf(checkout.id));
    window->detail()->showTab(SandboxDetailWidget::TimelineTab);
    waitUntil(
        [&] {
            auto *timeline = fixture.find<QAbstractItemView>(u"timelineTable"_s);
            return timeline && timeline->model() && timeline->model()->rowCount() >= 3;
        },
        10000);
    ok &= save(window, folder + u"/handoff-timeline.png"_s);

    window->detail()->showTab(SandboxDetailWidget::BrowserTab);
    waitUntil(
        [&] {
            BrowserPanel *panel = window->detail()->browserPanel();
            return panel && panel->viewerState() == ViewerState::Live;
        },
        30000);
    ok &= save(window, folder + u"/browser-handoff.png"_s);
    return ok ? 0 : 1;
}
