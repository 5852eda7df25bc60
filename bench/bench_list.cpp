// SPDX-License-Identifier: MIT
// The list budgets with a real QTreeView on a SandboxFilterProxy (offscreen is fine): load 10,000
// sandboxes, one filter keystroke, a sort, and 500 state changes per second for 10 s with a stall
// detector and peak RSS. Each timing runs until the view has painted; each has a reference run of
// the same work on a plain QStandardItemModel (+ QSortFilterProxyModel where a proxy is needed).
// Usage: QT_QPA_PLATFORM=offscreen bench_list [runs=15] [rows=10000] [live-seconds=10]
#include "models/sandboxfilterproxy.h"
#include "models/sandboxlistmodel.h"

#include <QApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QRandomGenerator>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTimer>
#include <QTreeView>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>

using namespace banata;
using namespace Qt::StringLiterals;

namespace {
/// A tree view that notes when it has finished painting its viewport.
class PaintedView final : public QTreeView
{
public:
    bool painted = false;

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QTreeView::paintEvent(event);
        painted = true;
    }
};

/// Runs the event loop until the view has painted once after \a work: the time a user waits.
double timeUntilPainted(PaintedView &view, const std::function<void()> &work)
{
    // Flush what is pending first, so an earlier paint is not taken for this one.
    view.viewport()->update();
    view.painted = false;
    QDeadlineTimer flush(5000);
    while (!view.painted && !flush.hasExpired())
        QCoreApplication::processEvents();

    QElapsedTimer timer;
    timer.start();
    view.painted = false;
    work();
    view.viewport()->update(); // a change that moves nothing on screen still ends with a paint
    QDeadlineTimer deadline(10000);
    while (!view.painted && !deadline.hasExpired())
        QCoreApplication::processEvents();
    return double(timer.nsecsElapsed()) / 1e6;
}

struct Stats
{
    double median = 0, p95 = 0, max = 0;
};

Stats stats(QList<double> samples)
{
    if (samples.isEmpty())
        return {};
    std::sort(samples.begin(), samples.end());
    const auto at = [&](double q) { return samples[qsizetype(q * double(samples.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.95), samples.last()};
}

/// \a judgeMax: the budget holds for every sample (a stall), not just the 95th percentile.
void printRow(const char *what, const QList<double> &ours, const QList<double> &reference, double budget,
              bool judgeMax = false)
{
    const Stats o = stats(ours);
    const Stats r = stats(reference);
    const QByteArray ref = reference.isEmpty() ? QByteArray("-") : QByteArray::number(r.median, 'f', 2);
    const QByteArray ratio = reference.isEmpty() ? QByteArray("-") : QByteArray::number(o.median / r.median, 'f', 2);
    std::printf("| %-34s | %5lld | %8.2f | %8.2f | %8.2f | %6.0f | %8s | %5s | %-4s |\n", what,
                static_cast<long long>(ours.size()), o.median, o.p95, o.max, budget, ref.constData(), ratio.constData(),
                (judgeMax ? o.max : o.p95) <= budget ? "ok" : "OVER");
}

qint64 procStatusKb(const char *field)
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

const QStringList kWords = {u"invoice"_s, u"report"_s, u"scraper"_s, u"mailer"_s, u"checkout"_s, u"crawler"_s,
                            u"billing"_s, u"onboarding"_s, u"support"_s, u"research"_s, u"deploy"_s, u"etl"_s};
const QStringList kRegions = {u"eu-west"_s, u"us-east"_s, u"us-west"_s, u"ap-south"_s};
const QList<SandboxStatus> kStates = {SandboxStatus::Ready, SandboxStatus::Active, SandboxStatus::Paused,
                                      SandboxStatus::Ended, SandboxStatus::Queued, SandboxStatus::Failed};

QList<Sandbox> makeSandboxes(int count)
{
    QRandomGenerator random(42);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Sandbox> out;
    out.reserve(count);
    for (int i = 0; i < count; ++i) {
        Sandbox s;
        s.id = u"k%1"_s.arg(random.generate64(), 16, 36, QChar(u'0')).left(24);
        s.status = kStates.at(int(random.bounded(kStates.size())));
        s.runtime = u"bun"_s;
        s.size = u"standard"_s;
        s.name = kWords.at(int(random.bounded(kWords.size()))) + u' ' + kWords.at(int(random.bounded(kWords.size()))) +
            u" %1"_s.arg(i);
        s.region = kRegions.at(int(random.bounded(kRegions.size())));
        if (i % 3 == 0) {
            Capabilities caps;
            caps.browser = BrowserCapability{};
            caps.agent = AgentCapability{};
            s.capabilities = caps;
        }
        s.metadata = Json{{"customer", toStd(u"customer-%1"_s.arg(i % 400))}, {"jobId", i}};
        s.createdAt = now - qint64(random.bounded(7 * 24 * 3600)) * 1000;
        s.updatedAt = s.createdAt;
        out.append(s);
    }
    return out;
}

/// The reference: the same rows as plain text items.
std::unique_ptr<QStandardItemModel> makeStandardModel(const QList<Sandbox> &sandboxes)
{
    auto model = std::make_unique<QStandardItemModel>(0, SandboxListModel::ColumnCount);
    for (const Sandbox &s : sandboxes) {
        QList<QStandardItem *> items;
        items << new QStandardItem(SandboxListModel::stateText(s.status)) << new QStandardItem(s.name.value_or(s.id))
              << new QStandardItem(s.id) << new QStandardItem(u"Local"_s) << new QStandardItem(s.region.value_or(QString()))
              << new QStandardItem(s.capabilities ? u"browser 1280×800, agent"_s : QString()) << new QStandardItem()
              << new QStandardItem() << new QStandardItem(u"3 d"_s);
        model->appendRow(items);
    }
    return model;
}

void setUpView(PaintedView &view)
{
    view.setUniformRowHeights(true); // a flat list: one height, no per-row size hints
    view.setRootIsDecorated(false);
    view.setSortingEnabled(true);
    view.resize(1400, 900);
    view.show();
}

/// One live-update run: the gaps between 1 ms ticks on the UI thread while changes pour in.
struct LiveRun
{
    QList<double> gaps;
    int changes = 0;
    double seconds = 0;
};

LiveRun runLive(PaintedView &view, SandboxListModel &model, const QString &connection, QList<Sandbox> &live,
                int sortColumn, int seconds)
{
    view.sortByColumn(sortColumn, sortColumn == SandboxListModel::AgeColumn ? Qt::DescendingOrder : Qt::AscendingOrder);
    QCoreApplication::processEvents();
    LiveRun run;
    QElapsedTimer clock;
    qint64 lastTick = -1;
    QTimer detector;
    detector.setTimerType(Qt::PreciseTimer);
    detector.setInterval(1);
    QObject::connect(&detector, &QTimer::timeout, &view, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (lastTick >= 0)
            run.gaps.append(double(now - lastTick) / 1e6);
        lastTick = now;
    });
    QRandomGenerator random(7);
    QTimer feeder;
    feeder.setTimerType(Qt::PreciseTimer);
    feeder.setInterval(2);
    // Every 2 ms the changes due at 500/s so far: a late tick (the loop was painting) catches up
    // with a small batch, as a burst of events from the server would arrive.
    QObject::connect(&feeder, &QTimer::timeout, &view, [&] {
        const int due = int(clock.elapsed() / 2);
        for (; run.changes < due; ++run.changes) {
            Sandbox &s = live[qsizetype(random.bounded(live.size()))];
            s.status = kStates.at((kStates.indexOf(s.status) + 1) % kStates.size());
            s.updatedAt += 1;
            model.upsert(connection, s);
        }
    });
    clock.start();
    detector.start();
    feeder.start();
    QDeadlineTimer end(seconds * 1000);
    while (!end.hasExpired())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    feeder.stop();
    detector.stop();
    run.seconds = double(clock.elapsed()) / 1000.0;
    return run;
}
} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int runs = argc > 1 ? std::max(1, atoi(argv[1])) : 15;
    const int rows = argc > 2 ? std::max(100, atoi(argv[2])) : 10000;
    const int liveSeconds = argc > 3 ? std::max(1, atoi(argv[3])) : 10;
    const qint64 rssStartKb = procStatusKb("VmRSS");
    const QList<Sandbox> sandboxes = makeSandboxes(rows);
    const QString connection = u"local"_s;
    const bool verbose = qEnvironmentVariableIsSet("BENCH_LIST_VERBOSE");

    SandboxListModel model;
    model.setConnectionName(connection, u"Local"_s);
    SandboxFilterProxy proxy;
    proxy.setSourceModel(&model);
    PaintedView view;
    view.setModel(&proxy);
    setUpView(view);
    view.sortByColumn(SandboxListModel::AgeColumn, Qt::DescendingOrder); // the app's default order

    // (a) load
    QList<double> load;
    for (int i = 0; i < runs; ++i) {
        model.resetConnection(connection, {});
        load.append(timeUntilPainted(view, [&] { model.resetConnection(connection, sandboxes); }));
    }

    // A repaint with nothing changed: what every live update costs at least.
    QList<double> repaint;
    for (int i = 0; i < runs; ++i)
        repaint.append(timeUntilPainted(view, [] {}));

    // (b) one filter keystroke: typing "invoice 12" a character at a time, sorted by age.
    const QString typed = u"invoice 12"_s;
    QList<double> keystroke;
    for (int i = 0; i < runs; ++i) {
        proxy.setTextFilter(QString());
        for (qsizetype n = 1; n <= typed.size(); ++n) {
            if (typed.at(n - 1) == u' ')
                continue; // a space alone changes no word
            keystroke.append(timeUntilPainted(view, [&] { proxy.setTextFilter(typed.left(n)); }));
            if (verbose)
                std::printf("keystroke %-12s %6d rows %7.2f ms\n", qPrintable(typed.left(n)), proxy.rowCount(),
                            keystroke.constLast());
        }
    }
    proxy.setTextFilter(QString());

    // (c) sort by each column, alternating the order.
    QList<double> sortAll;
    std::array<QList<double>, SandboxListModel::ColumnCount> sortBy;
    for (int i = 0; i < runs; ++i) {
        for (int column = 0; column < SandboxListModel::ColumnCount; ++column) {
            const Qt::SortOrder order = (i + column) % 2 ? Qt::DescendingOrder : Qt::AscendingOrder;
            const double ms = timeUntilPainted(view, [&] { view.sortByColumn(column, order); });
            sortBy[size_t(column)].append(ms);
            sortAll.append(ms);
        }
    }

    // (d) 500 state changes a second, in the app's default order (by age: rows stay put) and
    // sorted by state (each change moves its row and relayouts the view: the worst order).
    QList<Sandbox> live = sandboxes;
    const LiveRun liveByAge = runLive(view, model, connection, live, SandboxListModel::AgeColumn, liveSeconds);
    const LiveRun liveByState = runLive(view, model, connection, live, SandboxListModel::StateColumn, liveSeconds);
    const qint64 hwmKb = procStatusKb("VmHWM");
    const qint64 rssKb = procStatusKb("VmRSS");

    // References on plain Qt models, after ours so that they do not raise our peak RSS.
    QList<double> loadRef, keystrokeRef, sortRef, repaintRef;
    {
        PaintedView refView;
        setUpView(refView);
        std::unique_ptr<QStandardItemModel> standard;
        for (int i = 0; i < runs; ++i) {
            refView.setModel(nullptr);
            standard.reset();
            loadRef.append(timeUntilPainted(refView, [&] {
                standard = makeStandardModel(sandboxes);
                refView.setModel(standard.get());
            }));
        }
        for (int i = 0; i < runs; ++i)
            repaintRef.append(timeUntilPainted(refView, [] {}));
        QSortFilterProxyModel refProxy;
        refProxy.setSourceModel(standard.get());
        refProxy.setFilterKeyColumn(SandboxListModel::NameColumn);
        refProxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
        refView.setModel(&refProxy);
        refView.sortByColumn(SandboxListModel::AgeColumn, Qt::DescendingOrder);
        for (int i = 0; i < runs; ++i) {
            refProxy.setFilterFixedString(QString());
            for (qsizetype n = 1; n <= typed.size(); ++n) {
                if (typed.at(n - 1) != u' ')
                    keystrokeRef.append(timeUntilPainted(refView, [&] { refProxy.setFilterFixedString(typed.left(n)); }));
            }
        }
        refProxy.setFilterFixedString(QString());
        for (int i = 0; i < runs; ++i) {
            for (int column = 0; column < SandboxListModel::ColumnCount; ++column) {
                const Qt::SortOrder order = (i + column) % 2 ? Qt::DescendingOrder : Qt::AscendingOrder;
                sortRef.append(timeUntilPainted(refView, [&] { refView.sortByColumn(column, order); }));
            }
        }
    }

    std::printf("\nbench_list: %d rows, %d runs, QTreeView %dx%d on %s, times in ms until the view painted\n\n", rows,
                runs, view.width(), view.height(), qPrintable(QGuiApplication::platformName()));
    std::printf("| %-34s | %5s | %8s | %8s | %8s | %6s | %8s | %5s | %-4s |\n", "measurement", "n", "median", "p95", "max",
                "budget", "ref med", "ratio", "ok?");
    std::printf("|%s|\n", QByteArray(120, '-').constData());
    printRow("(a) load 10k (resetConnection)", load, loadRef, 150);
    printRow("(b) filter keystroke", keystroke, keystrokeRef, 16);
    printRow("    repaint, nothing changed", repaint, repaintRef, 16);
    printRow("(c) sort, all columns", sortAll, sortRef, 100);
    for (int column = 0; column < SandboxListModel::ColumnCount; ++column) {
        const QByteArray label = "    sort by " + model.headerData(column, Qt::Horizontal).toString().toUtf8();
        printRow(label.constData(), sortBy[size_t(column)], {}, 100);
    }
    printRow("(d) live, by age: 1 ms tick gaps", liveByAge.gaps, {}, 16, true);
    printRow("(d) live, by state: 1 ms tick gaps", liveByState.gaps, {}, 16, true);
    std::printf("(ok?: p95 within budget; (d): every gap within budget; ratio: our median / reference median;\n"
                " per-column sorts and (d) have no reference run)\n\n");
    for (const auto &[name, run] : {std::pair{"by age", &liveByAge}, std::pair{"by state", &liveByState}}) {
        const auto over = [run](double ms) {
            return static_cast<long long>(std::count_if(run->gaps.cbegin(), run->gaps.cend(), [ms](double g) { return g > ms; }));
        };
        std::printf("(d) %s: %d state changes in %.1f s (%.0f/s) into %d rows; longest stall %.2f ms; "
                    "gaps > 10 ms: %lld, > 13 ms: %lld, > 16 ms: %lld of %lld\n",
                    name, run->changes, run->seconds, run->changes / run->seconds, rows, stats(run->gaps).max, over(10),
                    over(13), over(16), static_cast<long long>(run->gaps.size()));
    }
    std::printf("memory: VmRSS at start %.1f MB, after (a)-(d) %.1f MB, peak VmHWM %.1f MB (budget 150 MB: %s)\n",
                rssStartKb / 1024.0, rssKb / 1024.0, hwmKb / 1024.0, hwmKb <= 150 * 1024 ? "ok" : "OVER");
    std::printf("reference: QStandardItemModel with the same texts (load: build + setModel), QSortFilterProxyModel\n"
                "           with setFilterFixedString on Name (keystroke) and on DisplayRole (sort).\n");
    return 0;
}
