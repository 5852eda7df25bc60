// SPDX-License-Identifier: MIT
// Takes pictures of the real app against a real banata-local with a prepared scene: sandboxes
// in several states, a pending handoff, a console run. Writes PNGs to the folder given (default
// docs/screenshots). Usage: gui_screenshots [folder]   (see scripts/screenshots.sh)
#include "guitest.h"

#include "core/client/apiclient.h"
#include "support/awaitjob.h"
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

} // namespace

int main(int argc, char *argv[])
{
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
    const Sandbox checkout = fixture.createSandbox(u"checkout flow test"_s, Json{{"team", "web"}});
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
    return ok ? 0 : 1;
}
