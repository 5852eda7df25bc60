// SPDX-License-Identifier: MIT
#include "sandboxprocess.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include "bwrapcommand.h"
#include "controlchannel.h"
#include "freezer.h"
#include "sandboxprocess_p.h"
#include "spawn.h"

using namespace Qt::StringLiterals;

Q_LOGGING_CATEGORY(lcSandboxProcess, "banata.server.runtime.sandboxprocess")

namespace banata::server {

namespace {

constexpr int kStartTimeoutMs = 15000;
constexpr int kAttachTimeoutMs = 5000;

QString sanitized(const QString &text, qsizetype maxLength)
{
    QString out;
    for (const QChar c : text) {
        if (c.isLetterOrNumber() && c.unicode() < 128)
            out.append(c);
        else if (c == u'-' || c == u'_')
            out.append(u'-');
        if (out.size() == maxLength)
            break;
    }
    return out;
}

QString hostnameFor(const SandboxProcess::Config &config)
{
    if (!config.hostname.isEmpty())
        return config.hostname.left(63); // sethostname(2) limit
    const QString name = sanitized(config.sandboxId, 12).toLower();
    return name.isEmpty() ? u"sandbox"_s : name;
}

// Unique per tree on this host: two servers with different data dirs may reuse a sandbox id.
QString cgroupKey(const SandboxProcess::Config &config)
{
    const QByteArray root = QDir(config.rootDir).absolutePath().toUtf8();
    const QByteArray hash = QCryptographicHash::hash(root, QCryptographicHash::Sha1).toHex().left(8);
    return u"sb-"_s + sanitized(config.sandboxId, 48) + u'-' + QString::fromLatin1(hash);
}

ExecResult parseExecResult(const Json &reply)
{
    static const Json empty = Json::object();
    const auto it = reply.find("result");
    const Json &result = it != reply.end() && it->is_object() ? *it : empty;
    ExecResult out;
    out.stdoutText = fromStd(result.value("stdout", std::string()));
    out.stderrText = fromStd(result.value("stderr", std::string()));
    out.exitCode = result.value("exitCode", -1);
    out.durationMs = result.value("durationMs", qint64(0));
    out.timedOut = result.value("timedOut", false);
    out.stdoutTruncated = result.value("stdoutTruncated", false);
    out.stderrTruncated = result.value("stderrTruncated", false);
    return out;
}

} // namespace

bool processIs(qint64 pid, qint64 startTime)
{
    const std::optional<qint64> actual = pid > 0 ? processStartTime(pid_t(pid)) : std::nullopt;
    return actual && *actual == startTime;
}

SandboxProcess::SandboxProcess(Config config, Freezer *freezer, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_freezer(freezer)
    , m_channel(new ControlChannel(this))
    , m_startTimer(new QTimer(this))
{
    m_config.rootDir = QDir(m_config.rootDir).absolutePath();
    m_startTimer->setSingleShot(true);
    connect(m_startTimer, &QTimer::timeout, this, [this] {
        failStart(
            (m_spawnedHere ? u"timed out starting the sandbox"_s : u"timed out attaching to the sandbox"_s) +
            logTail());
    });
    connect(m_channel, &ControlChannel::disconnected, this, [this](const QString &reason) {
        if (m_state == State::Running)
            markLost(reason);
        else if (m_state == State::Starting)
            failStart(reason + logTail());
    });
}

SandboxProcess::~SandboxProcess()
{
    m_destroying = true;
    // A tree still starting has no state.json yet: nobody could ever attach to it.
    if (m_state == State::Starting && m_ownsRoot) {
        killTree();
        removeLeftovers();
    }
    std::deque<Op> ops;
    ops.swap(m_ops);
    const QString reason = u"sandbox handle destroyed"_s;
    m_channel->close(reason); // exec callbacks get their error queued to their contexts
    for (Op &op : ops)
        postToContext(op.context, std::move(op.done), std::optional<QString>(reason));
    // Notifiers before the fds they watch.
    delete m_infoNotifier;
    delete m_bwrapNotifier;
    delete m_initNotifier;
    if (!m_bwrapGone)
        reapWhenExited(std::move(m_bwrapPidfd));
}

void SandboxProcess::start()
{
    if (m_state != State::Idle) {
        QMetaObject::invokeMethod(
            this, [this] { emit failed(u"start(): already started or attached"_s); }, Qt::QueuedConnection);
        return;
    }
    m_state = State::Starting;
    m_spawnedHere = true;
    m_startTimer->start(kStartTimeoutMs);
    spawnTree();
}

void SandboxProcess::spawnTree()
{
    const QString root = m_config.rootDir;
    if (const std::optional<QString> error = prepareRootDir(root))
        return failStart(*error);
    if (const auto existing = RunState::load(root);
        existing && processIs(existing->initPid, existing->initStartTime))
        return failStart(u"a sandbox tree is already running in "_s + root + u"; attach() to it"_s);
    m_ownsRoot = true; // from here on, what <root>/run/ holds is ours to clean up on failure
    const QString sandboxd = findSandboxd();
    if (sandboxd.isEmpty())
        return failStart(u"banata-sandboxd not found (set BANATA_SANDBOXD)"_s);
    const QString bwrap = findBwrap();
    if (bwrap.isEmpty())
        return failStart(u"bwrap not found (install bubblewrap)"_s);
    const Expected<QString, QString> group = m_freezer->createGroup(cgroupKey(m_config));
    if (!group)
        return failStart(group.error());
    m_run = RunState();
    m_run.sandboxId = m_config.sandboxId;
    m_run.backend = group->isEmpty() ? u"signals"_s : u"cgroup-freezer"_s;
    m_run.cgroupDir = *group;
    if (!group->isEmpty())
        m_cgroup.emplace(*group);

    QString error;
    UniqueFd listen = listenUnixSocket(runDir() + u"/ctl.sock"_s, &error);
    if (!listen.valid())
        return failStart(error);
    int info[2];
    if (::pipe2(info, O_CLOEXEC | O_NONBLOCK) != 0)
        return failStart(errnoMessage(u"pipe"_s, errno));
    m_infoPipe.reset(info[0]);
    UniqueFd infoWrite(info[1]);
    ::fcntl(infoWrite.get(), F_SETFL, 0); // bwrap's end blocks as usual
    UniqueFd treeDir;
    UniqueFd treeProcs;
    UniqueFd workDir;
    if (m_cgroup) {
        treeDir = m_cgroup->openDir(false, &error);
        treeProcs = m_cgroup->openProcs(false, &error);
        workDir = m_cgroup->openDir(true, &error);
        if (!treeDir.valid() || !treeProcs.valid() || !workDir.valid())
            return failStart(error);
    }
    const QByteArray logPath = QFile::encodeName(runDir() + u"/sandbox.log"_s);
    UniqueFd log(::open(logPath.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    UniqueFd devNull(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!devNull.valid())
        return failStart(errnoMessage(u"/dev/null"_s, errno));

    BwrapOptions options;
    options.rootDir = root;
    options.hostname = hostnameFor(m_config);
    options.sandboxdPath = sandboxd;
    options.infoFd = infoWrite.get();
    options.controlFd = listen.get();
    options.cgroupFd = workDir.get();
    DetachedSpawn spawn;
    spawn.program = bwrap;
    spawn.arguments = bwrapArguments(options);
    spawn.environment = sandboxEnvironment(m_config.env);
    spawn.inheritFds = {listen.get(), infoWrite.get()};
    if (workDir.valid())
        spawn.inheritFds.push_back(workDir.get());
    spawn.stdinFd = devNull.get();
    spawn.stdoutFd = devNull.get();
    spawn.stderrFd = log.valid() ? log.get() : devNull.get();
    spawn.cgroupDirFd = treeDir.get();
    spawn.cgroupProcsFd = treeProcs.get();
    const Expected<pid_t, QString> pid = spawnDetached(spawn);
    if (!pid)
        return failStart(pid.error());
    m_run.bwrapPid = *pid;
    m_run.bwrapStartTime = processStartTime(*pid).value_or(0);
    adoptBwrap();
    // Recorded now, without init, not only once started: a server killed before then leaves a
    // tree the next one must find to end it (attach() refuses such a record, stop() ends it).
    if (const std::optional<QString> saveError = m_run.save(root))
        return failStart(*saveError);
    m_infoNotifier = new QSocketNotifier(m_infoPipe.get(), QSocketNotifier::Read, this);
    connect(m_infoNotifier, &QSocketNotifier::activated, this, &SandboxProcess::onInfoReadable);
    // Our copies of listen, infoWrite and the cgroup fds close here; the tree holds its own.
    connectControl();
}

void SandboxProcess::onInfoReadable()
{
    char buffer[4096];
    const ssize_t n = ::read(m_infoPipe.get(), buffer, sizeof buffer);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0)
        m_info.append(buffer, n);
    // bwrap writes one JSON object and closes the fd; accept it as soon as it parses.
    const Parsed<Json> info = parseJson(m_info);
    const bool complete =
        info && info->is_object() && info->contains("child-pid") && (*info)["child-pid"].is_number_integer();
    if (!complete && n > 0)
        return;
    delete m_infoNotifier;
    m_infoNotifier = nullptr;
    m_infoPipe.reset();
    if (!complete)
        return failStart(u"bwrap failed"_s + logTail());
    m_run.initPid = (*info)["child-pid"].get<qint64>();
    m_run.initStartTime = processStartTime(pid_t(m_run.initPid)).value_or(0);
    adoptInit();
    if (m_initGone)
        return failStart(u"sandbox exited during start"_s + logTail());
    m_infoDone = true;
    maybeStarted();
}

void SandboxProcess::connectControl()
{
    if (const std::optional<QString> error = m_channel->open(runDir() + u"/ctl.sock"_s))
        return failStart(*error);
    m_channel->request({{"op", "hello"}}, [this](const ControlChannel::Reply &reply) {
        if (m_destroying || m_state != State::Starting)
            return;
        if (!reply)
            return failStart(u"sandboxd: "_s + reply.error() + logTail());
        const bool frozen = m_cgroup && m_cgroup->isFrozen();
        m_paused = reply->value("paused", false) || frozen;
        m_helloDone = true;
        maybeStarted();
    });
}

void SandboxProcess::maybeStarted()
{
    if (m_state != State::Starting || !m_helloDone || !m_infoDone)
        return;
    if (m_spawnedHere) {
        if (const std::optional<QString> error = m_run.save(m_config.rootDir))
            return failStart(*error);
    }
    m_startTimer->stop();
    m_state = State::Running;
    qCDebug(lcSandboxProcess) << "sandbox" << m_config.sandboxId << "running, init pid" << m_run.initPid
                              << "backend" << m_run.backend;
    emit started();
    runNextOp();
}

void SandboxProcess::failStart(const QString &reason)
{
    if (m_state != State::Starting)
        return;
    m_state = State::Failed;
    m_startTimer->stop();
    qCWarning(lcSandboxProcess) << "sandbox" << m_config.sandboxId << "failed:" << reason;
    if (m_ownsRoot) {
        // Half-started: nothing could ever attach to it.
        killTree();
        removeLeftovers();
    }
    m_channel->close(reason);
    // Queued: failures found inside start()/attach() must not re-enter the caller.
    QMetaObject::invokeMethod(
        this, [this, reason] { emit failed(reason); }, Qt::QueuedConnection);
    runNextOp();
}

void SandboxProcess::attach()
{
    if (m_state != State::Idle) {
        QMetaObject::invokeMethod(
            this, [this] { emit failed(u"attach(): already started or attached"_s); }, Qt::QueuedConnection);
        return;
    }
    m_state = State::Starting;
    m_startTimer->start(kAttachTimeoutMs);
    const Expected<RunState, QString> state = RunState::load(m_config.rootDir);
    if (!state)
        return failStart(state.error());
    m_run = *state;
    if (m_run.initPid == 0)
        return failStart(u"the previous server stopped while this sandbox was starting"_s);
    if (!m_run.cgroupDir.isEmpty() && SandboxCgroup(m_run.cgroupDir).exists())
        m_cgroup.emplace(m_run.cgroupDir);
    adoptInit();
    adoptBwrap();
    if (m_initGone) {
        // The tree died while no server watched it: clear what it left behind.
        killTree();
        removeLeftovers();
        return failStart(u"sandbox tree is not running (init pid "_s + QString::number(m_run.initPid) +
                         u" is gone)"_s);
    }
    m_infoDone = true;
    connectControl();
}

void SandboxProcess::adoptInit()
{
    m_initPidfd = openPidfd(pid_t(m_run.initPid));
    // Check identity after opening: from then on the pidfd cannot refer to a reused pid.
    if (!processIs(m_run.initPid, m_run.initStartTime)) {
        m_initPidfd.reset();
        m_initGone = true;
        return;
    }
    if (!m_initPidfd.valid())
        return; // kernel without pidfds: the control connection's EOF tells us instead
    m_initNotifier = new QSocketNotifier(m_initPidfd.get(), QSocketNotifier::Read, this);
    connect(m_initNotifier, &QSocketNotifier::activated, this, &SandboxProcess::onInitExited);
}

void SandboxProcess::adoptBwrap()
{
    m_bwrapPidfd = openPidfd(pid_t(m_run.bwrapPid));
    if (!processIs(m_run.bwrapPid, m_run.bwrapStartTime))
        m_bwrapPidfd.reset();
    if (!m_bwrapPidfd.valid()) {
        m_bwrapGone = true;
        return;
    }
    m_bwrapNotifier = new QSocketNotifier(m_bwrapPidfd.get(), QSocketNotifier::Read, this);
    connect(m_bwrapNotifier, &QSocketNotifier::activated, this, &SandboxProcess::onBwrapExited);
}

void SandboxProcess::onBwrapExited()
{
    m_bwrapNotifier->setEnabled(false);
    m_bwrapGone = true;
    // Reap it if it is our child (ECHILD otherwise: init adopted it when an earlier server died).
    siginfo_t info = {};
    ::waitid(P_PIDFD, id_t(m_bwrapPidfd.get()), &info, WEXITED | WNOHANG);
    if (m_state == State::Starting && !m_infoDone)
        return failStart(u"bwrap exited"_s + logTail());
    if (m_state == State::Stopping)
        maybeFinishStop();
}

void SandboxProcess::onInitExited()
{
    m_initNotifier->setEnabled(false);
    m_initGone = true;
    switch (m_state) {
    case State::Starting:
        return failStart(u"sandbox exited during start"_s + logTail());
    case State::Running:
        return markLost(u"sandbox tree exited"_s);
    case State::Stopping:
        return maybeFinishStop();
    case State::Lost:
        return removeLeftovers();
    default:
        return;
    }
}

void SandboxProcess::markLost(const QString &reason)
{
    m_state = State::Lost;
    qCWarning(lcSandboxProcess) << "sandbox" << m_config.sandboxId << "lost:" << reason;
    m_channel->close(reason);
    if (m_initGone)
        removeLeftovers();
    emit lost(reason);
    runNextOp();
}

void SandboxProcess::exec(const ExecSpec &spec, QObject *context, ExecCallback done)
{
    using Outcome = Expected<ExecResult, QString>;
    if (!context)
        context = this;
    if (m_state != State::Running || !m_channel->isOpen())
        return postToContext(context, std::move(done), Outcome::failure(u"sandbox is not running"_s));
    if (m_paused)
        return postToContext(context, std::move(done), Outcome::failure(u"sandbox is paused"_s));
    if (spec.argv.isEmpty())
        return postToContext(context, std::move(done), Outcome::failure(u"exec: empty argv"_s));
    Json argv = Json::array();
    for (const QString &arg : spec.argv)
        argv.push_back(toStd(arg));
    Json request = {
        {"op", "exec"},           {"argv", std::move(argv)},     {"env", toJsonObject(spec.env)},
        {"cwd", toStd(spec.cwd)}, {"timeoutMs", spec.timeoutMs}, {"maxOutputBytes", spec.maxOutputBytes}};
    // No `this` in the handler: it may run from our destructor.
    m_channel->request(std::move(request), [context = QPointer<QObject>(context),
                                            done = std::move(done)](const ControlChannel::Reply &reply) {
        if (!reply)
            return postToContext(context, done, Outcome::failure(reply.error()));
        postToContext(context, done, Outcome(parseExecResult(*reply)));
    });
}

bool SandboxProcess::isConnected() const
{
    return m_state == State::Running && m_channel->isOpen();
}

QString SandboxProcess::runDir() const
{
    return m_config.rootDir + u"/run"_s;
}

QString SandboxProcess::logTail() const
{
    QFile log(runDir() + u"/sandbox.log"_s);
    if (!log.open(QIODevice::ReadOnly))
        return {};
    if (log.size() > 2048)
        log.seek(log.size() - 2048);
    const QString text = QString::fromUtf8(log.readAll()).trimmed();
    return text.isEmpty() ? QString() : u": "_s + text;
}

} // namespace banata::server
