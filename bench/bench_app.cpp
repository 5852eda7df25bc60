// SPDX-License-Identifier: MIT
// banata-operator against the product.md §6 budgets, end to end with a real banata-local:
//  - app start (process spawn) to a painted list of 1,000 sandboxes, against an empty window's
//    start measured in the same run (the floor: process, Qt, fonts);
//  - server state change → list row updated (pause/resume by another client), p50/p99;
//  - handoff requested → desktop notification shown;
//  - 500 state changes per second from the server into the running app: the longest UI-thread
//    stall (a 1 ms timer's worst gap) and peak RSS.
// Usage: bench_app [sandboxes] [runs]   (default 1000, 10). QT_QPA_PLATFORM=offscreen works.
#include "app/appcontroller.h"
#include "core/client/apiclient.h"
#include "models/handoffinboxmodel.h"
#include "models/sandboxlistmodel.h"
#include "support/awaitjob.h"
#include "support/localserver.h"
#include "ui/mainwindow.h"
#include "ui/notifier.h"
#include "ui/sandboxlistview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMainWindow>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QStringListModel>
#include <QTemporaryDir>
#include <QThread>
#include <QTreeView>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {

struct Stats
{
    double p50 = 0, p95 = 0, p99 = 0, max = 0;
};

Stats stats(QList<double> samples)
{
    if (samples.isEmpty())
        return {};
    std::sort(samples.begin(), samples.end());
    auto at = [&](double q) { return samples[qsizetype(q * double(samples.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.95), at(0.99), samples.last()};
}

void row(const char *what, const QList<double> &samples, double budget, const char *unit = "ms")
{
    const Stats s = stats(samples);
    std::printf("| %-44s | %4lld | %8.2f | %8.2f | %8.2f | %8.2f | %s %.0f %s |\n", what, qlonglong(samples.size()),
                s.p50, s.p95, s.p99, s.max, s.p50 <= budget ? "meets" : "MISSES", budget, unit);
    std::fflush(stdout);
}

qint64 statusKiB(const char *field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// Prints "painted" once \a view's viewport has painted with at least \a rows rows, then quits.
class PaintProbe final : public QObject
{
public:
    PaintProbe(QAbstractItemView *view, int rows)
        : QObject(view)
        , m_view(view)
        , m_rows(rows)
    {
        view->viewport()->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && m_view->model() && m_view->model()->rowCount() >= m_rows) {
            // Report after this paint has been delivered.
            QMetaObject::invokeMethod(
                this,
                [] {
                    std::puts("painted");
                    std::fflush(stdout);
                    QCoreApplication::exit(0);
                },
                Qt::QueuedConnection);
            m_view->viewport()->removeEventFilter(this);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    QAbstractItemView *m_view;
    int m_rows;
};

// Child: the real app on --connect until the list is painted with every sandbox.
int paintChild(const QStringList &args)
{
    QTemporaryDir dir;
    AppOptions options;
    options.connectUrl = QUrl(args.at(0));
    QFile keyFile(args.at(1));
    if (!keyFile.open(QIODevice::ReadOnly))
        return 3;
    options.apiKey = QString::fromUtf8(keyFile.readAll().trimmed());
    options.settingsFile = dir.filePath(u"settings.ini"_s);
    options.journalFile = dir.filePath(u"journal.jsonl"_s);
    options.useKeychain = false;
    AppController controller(options);
    new PaintProbe(controller.window()->sandboxList()->view(), args.at(2).toInt());
    controller.window()->show();
    controller.start();
    return QApplication::exec();
}

// Child: the floor — an empty window with an empty list, painted.
int floorChild()
{
    QMainWindow window;
    auto *view = new QTreeView(&window);
    window.setCentralWidget(view);
    auto *model = new QStringListModel(&window);
    view->setModel(model);
    new PaintProbe(view, 0);
    window.show();
    return QApplication::exec();
}

double spawnUntilPainted(const QStringList &arguments)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QElapsedTimer timer;
    timer.start();
    child.start(QCoreApplication::applicationFilePath(), arguments);
    if (!test::waitUntil([&] { return child.canReadLine() || child.state() == QProcess::NotRunning; }, 60000)
        || !child.readLine().startsWith("painted")) {
        std::fprintf(stderr, "child failed: %s\n", qPrintable(arguments.join(u' ')));
        return -1;
    }
    const double elapsed = double(timer.nsecsElapsed()) / 1e6;
    child.waitForFinished(10000);
    return elapsed;
}

// Creates \a count sandboxes, ends all but \a live of them: a realistic list of mixed states.
QStringList populate(const ApiClient &client, int count, int live)
{
    QStringList liveIds;
    int created = 0, inFlight = 0, done = 0;
    std::function<void()> next = [&] {
        while (inFlight < 8 && created < count) {
            const int n = created++;
            ++inFlight;
            CreateSandboxRequest request;
            request.name = u"bench %1"_s.arg(n, 4, 10, QChar(u'0'));
            request.metadata = Json{{"batch", "bench_app"}, {"n", n}};
            SandboxJob *job = client.createSandbox(request);
            QObject::connect(job, &SandboxJob::finished, qApp, [&, n](const ApiResult<Sandbox> &result) {
                if (result && n < live) {
                    liveIds.append(result->id);
                    --inFlight;
                    ++done;
                    next();
                } else if (result) {
                    SandboxJob *kill = client.killSandbox(result->id);
                    QObject::connect(kill, &SandboxJob::finished, qApp, [&](const ApiResult<Sandbox> &) {
                        --inFlight;
                        ++done;
                        next();
                    });
                } else {
                    std::fprintf(stderr, "create failed: %s\n", qPrintable(result.error().displayText()));
                    --inFlight;
                    ++done;
                    next();
                }
            });
        }
    };
    next();
    test::waitUntil([&] { return done >= count; }, 600000);
    return liveIds;
}

// Pauses and resumes sandboxes from its own thread at about \a eventsPerSecond server events.
class ChurnDriver final : public QObject
{
public:
    ChurnDriver(QUrl url, QString key, QStringList ids, int opsPerSecond)
        : m_url(std::move(url))
        , m_key(std::move(key))
        , m_ids(std::move(ids))
        , m_opsPerSecond(opsPerSecond)
    {}

    void run(int seconds)
    {
        QNetworkAccessManager network;
        const ApiClient client(&network, m_url, m_key);
        QElapsedTimer clock;
        clock.start();
        int sent = 0, inFlight = 0;
        QList<bool> paused(m_ids.size(), false);
        QList<bool> busy(m_ids.size(), false);
        QTimer tick;
        tick.setInterval(2);
        QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
            const qint64 due = clock.elapsed() * m_opsPerSecond / 1000;
            for (qsizetype i = 0; sent < due && i < m_ids.size() && inFlight < 32; ++i) {
                const qsizetype k = (sent + i) % m_ids.size();
                if (busy[k])
                    continue;
                busy[k] = true;
                ++inFlight;
                ++sent;
                SandboxJob *job = paused[k] ? client.resumeSandbox(m_ids[k]) : client.pauseSandbox(m_ids[k]);
                QObject::connect(job, &SandboxJob::finished, &tick, [&, k](const ApiResult<Sandbox> &result) {
                    busy[k] = false;
                    --inFlight;
                    if (result)
                        paused[k] = result->status == SandboxStatus::Paused;
                });
            }
        });
        tick.start();
        test::waitUntil([&] { return clock.elapsed() >= seconds * 1000; }, seconds * 1000 + 5000);
        tick.stop();
        test::waitUntil([&] { return inFlight == 0; }, 10000);
        m_sent = sent;
    }
    int sent() const { return m_sent; }

private:
    QUrl m_url;
    QString m_key;
    QStringList m_ids;
    int m_opsPerSecond;
    int m_sent = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"bench_app"_s);
    const QStringList args = QApplication::arguments().mid(1);
    if (args.value(0) == u"--paint-child"_s)
        return paintChild(args.mid(1));
    if (args.value(0) == u"--floor-child"_s)
        return floorChild();

    const int count = args.value(0, u"1000"_s).toInt();
    const int runs = args.value(1, u"10"_s).toInt();
    const int live = 40;

    test::LocalServer server;
    if (!server.start()) {
        std::fprintf(stderr, "banata-local: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    QNetworkAccessManager network;
    const ApiClient client(&network, server.url(), server.apiKey());
    QElapsedTimer setup;
    setup.start();
    const QStringList liveIds = populate(client, count, live);
    std::printf("populated %d sandboxes (%lld live) in %.1f s\n\n", count, qlonglong(liveIds.size()),
                double(setup.elapsed()) / 1000);
    // Wait until the live ones are ready.
    test::waitUntil(
        [&] {
            int ready = 0;
            for (const QString &id : liveIds) {
                auto got = test::awaitJob(client.sandbox(id));
                ready += got && got->ok() && got->value().status == SandboxStatus::Ready;
            }
            return ready == liveIds.size();
        },
        60000);

    std::printf("| %-44s | %4s | %8s | %8s | %8s | %8s | %-14s |\n", "measurement", "n", "p50", "p95", "p99", "max",
                "budget");
    std::printf("|%s|------|----------|----------|----------|----------|----------------|\n",
                QByteArray(46, '-').constData());

    // 1. Start to painted list, against the empty-window floor.
    const QString keyFile = server.dataDir() + u"/api-key"_s;
    QList<double> appStart, floorStart;
    for (int i = 0; i < runs; ++i) {
        floorStart.append(spawnUntilPainted({u"--floor-child"_s}));
        appStart.append(spawnUntilPainted({u"--paint-child"_s, server.url().toString(), keyFile, QString::number(count)}));
    }
    row("empty Qt window start → painted (floor)", floorStart, 600);
    row(qPrintable(u"app start → painted list of %1"_s.arg(count)), appStart, 600);

    // The app in this process from here on.
    QTemporaryDir dir;
    AppOptions options;
    options.connectUrl = server.url();
    options.apiKey = server.apiKey();
    options.settingsFile = dir.filePath(u"settings.ini"_s);
    options.journalFile = dir.filePath(u"journal.jsonl"_s);
    options.useKeychain = false;
    AppController controller(options);
    controller.window()->show();
    controller.start();
    SandboxListModel *model = controller.sandboxes();
    test::waitUntil([&] { return model->rowCount() >= count; }, 30000);

    // 2. State change → row updated.
    auto statusOf = [&](const QString &id) {
        const int r = model->rowOf({u"cli"_s, id});
        return r < 0 ? -1 : model->index(r, 0).data(SandboxListModel::StatusRole).toInt();
    };
    QList<double> toRow, toReply;
    for (int i = 0; i < 100; ++i) {
        const QString id = liveIds.at(i % liveIds.size());
        const bool pause = statusOf(id) != int(SandboxStatus::Paused);
        const int want = int(pause ? SandboxStatus::Paused : SandboxStatus::Ready);
        QElapsedTimer t;
        double rowAt = -1, replyAt = -1;
        QMetaObject::Connection watch = QObject::connect(model, &QAbstractItemModel::dataChanged, model, [&] {
            if (rowAt < 0 && statusOf(id) == want)
                rowAt = double(t.nsecsElapsed()) / 1e6;
        });
        t.start();
        SandboxJob *job = pause ? client.pauseSandbox(id) : client.resumeSandbox(id);
        QObject::connect(job, &SandboxJob::finished, model,
                         [&](const ApiResult<Sandbox> &) { replyAt = double(t.nsecsElapsed()) / 1e6; });
        test::waitUntil([&] { return rowAt >= 0 && replyAt >= 0; }, 10000);
        QObject::disconnect(watch);
        toRow.append(rowAt);
        toReply.append(replyAt);
    }
    row("pause/resume request → API reply (reference)", toReply, 50);
    row("pause/resume request → list row updated", toRow, 50);

    // 3. Handoff requested → notification shown.
    Notifier *notifier = controller.window()->notifier();
    QList<double> toNotification;
    for (int i = 0; i < 20; ++i) {
        const QString id = liveIds.at(i % liveIds.size());
        if (statusOf(id) == int(SandboxStatus::Paused))
            test::awaitJob(client.resumeSandbox(id));
        QElapsedTimer t;
        double shownAt = -1;
        QMetaObject::Connection watch = QObject::connect(notifier, &Notifier::notificationShown, notifier,
                                                         [&] { shownAt = double(t.nsecsElapsed()) / 1e6; });
        t.start();
        HandoffRequest request;
        request.id = id;
        request.reason = u"mfa"_s;
        request.message = u"Enter the code"_s;
        test::awaitJob(client.requestHandoff(request));
        test::waitUntil([&] { return shownAt >= 0; }, 10000);
        QObject::disconnect(watch);
        toNotification.append(shownAt);
        test::awaitJob(client.cancelHandoff(id));
        test::waitUntil([&] { return controller.inbox()->rowCount() == 0; }, 10000);
    }
    row("handoff requested → notification shown", toNotification, 1000);

    // 4. 500 state changes per second for 10 s: a pause is two events (pausing, paused), a
    // resume one, so ~340 calls a second. The same probe on the idle app first, as a reference.
    const qint64 rssBefore = statusKiB("VmRSS:");
    QElapsedTimer gapClock;
    gapClock.start();
    qint64 lastTick = gapClock.nsecsElapsed(), worstGapNs = 0;
    QList<double> gaps;
    QTimer stallProbe;
    stallProbe.setTimerType(Qt::PreciseTimer);
    stallProbe.setInterval(1);
    QObject::connect(&stallProbe, &QTimer::timeout, &stallProbe, [&] {
        const qint64 now = gapClock.nsecsElapsed();
        worstGapNs = std::max(worstGapNs, now - lastTick);
        gaps.append(double(now - lastTick) / 1e6);
        lastTick = now;
    });
    stallProbe.start();
    QElapsedTimer idle;
    idle.start();
    test::waitUntil([&] { return idle.elapsed() >= 3000; }, 4000);
    stallProbe.stop();
    const double idleWorstMs = double(worstGapNs) / 1e6;
    worstGapNs = 0;
    gaps.clear();
    lastTick = gapClock.nsecsElapsed();

    int changes = 0;
    QObject::connect(model, &QAbstractItemModel::dataChanged, &stallProbe, [&] { ++changes; });
    ChurnDriver driver(server.url(), server.apiKey(), liveIds, 340);
    QThread churn;
    driver.moveToThread(&churn);
    std::atomic<bool> churnDone = false;
    QObject::connect(&churn, &QThread::started, &driver, [&] {
        driver.run(10);
        churnDone = true;
    });
    lastTick = gapClock.nsecsElapsed();
    stallProbe.start();
    churn.start();
    test::waitUntil([&] { return churnDone.load(); }, 30000);
    churn.quit();
    churn.wait();
    stallProbe.stop();
    std::printf("\n500 changes/s for 10 s: %d pause/resume calls, %d row updates in the app, UI-thread worst gap "
                "%.1f ms (idle app, same probe: %.1f ms; budget 16), gaps > 16 ms: %lld of %lld ticks; RSS %lld → "
                "%lld KiB, peak %lld KiB (budget 150 MB)\n",
                driver.sent(), changes, double(worstGapNs) / 1e6, idleWorstMs,
                qlonglong(std::count_if(gaps.cbegin(), gaps.cend(), [](double g) { return g > 16; })),
                qlonglong(gaps.size()), rssBefore, statusKiB("VmRSS:"), statusKiB("VmHWM:"));
    return 0;
}
