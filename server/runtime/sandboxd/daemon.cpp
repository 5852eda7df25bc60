// SPDX-License-Identifier: MIT
#include "daemon.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "server/runtime/protocol.h"
#include "stopall.h"

extern char **environ;

namespace banata::sandboxd {

using nlohmann::json;

namespace {

constexpr int64_t kPauseGiveUpMs = 3000;
// Per wakeup, so one chatty command cannot starve the others or the controller.
constexpr size_t kReadBudget = 256u << 10;

std::string dumpLine(const json &message)
{
    std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace);
    line.push_back('\n');
    return line;
}

} // namespace

Daemon::Daemon(int listenFd, CgroupTarget cgroup)
    : m_listen(listenFd)
    , m_cgroup(cgroup)
{
    ::fcntl(m_listen.get(), F_SETFL, ::fcntl(m_listen.get(), F_GETFL) | O_NONBLOCK);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    m_signalFd.reset(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
    m_devNull.reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    for (char **e = environ; e && *e; ++e)
        m_baseEnv.emplace_back(*e);
}

int Daemon::run()
{
    if (!m_signalFd.valid() || !m_devNull.valid()) {
        std::fprintf(stderr, "banata-sandboxd: setup failed: %s\n", errnoText(errno).c_str());
        return 1;
    }
    enum class Kind
    {
        Signal,
        Listen,
        Conn,
        Stream,
        Drain
    };
    struct Source
    {
        Kind kind;
        ExecJob *job = nullptr;
        OutputStream *stream = nullptr;
        UniqueFd *drain = nullptr;
    };
    std::vector<pollfd> fds;
    std::vector<Source> sources;
    for (;;) {
        fds.clear();
        sources.clear();
        auto add = [&](int fd, short events, Source source) {
            fds.push_back({fd, events, 0});
            sources.push_back(source);
        };
        add(m_signalFd.get(), POLLIN, {Kind::Signal});
        add(m_listen.get(), POLLIN, {Kind::Listen});
        if (m_conn.valid())
            add(m_conn.get(), static_cast<short>(POLLIN | (m_out.empty() ? 0 : POLLOUT)), {Kind::Conn});
        for (auto &job : m_jobs) {
            for (OutputStream *stream : {&job->out(), &job->err()}) {
                if (stream->fd.valid())
                    add(stream->fd.get(), POLLIN, {Kind::Stream, job.get(), stream});
            }
        }
        for (UniqueFd &drain : m_drains)
            add(drain.get(), POLLIN, {Kind::Drain, nullptr, nullptr, &drain});

        const int n = ::poll(fds.data(), fds.size(), pollTimeout());
        if (n < 0 && errno != EINTR) {
            std::fprintf(stderr, "banata-sandboxd: poll: %s\n", errnoText(errno).c_str());
            return 1;
        }
        bool reap = false;
        bool accept = false;
        short connEvents = 0;
        for (size_t i = 0; n > 0 && i < fds.size(); ++i) {
            if (fds[i].revents == 0)
                continue;
            const Source &source = sources[i];
            switch (source.kind) {
            case Kind::Signal:
                reap = true;
                break;
            case Kind::Listen:
                accept = true;
                break;
            case Kind::Conn:
                connEvents = fds[i].revents;
                break;
            case Kind::Stream:
                source.stream->readAvailable(source.job->cap(), kReadBudget);
                break;
            case Kind::Drain: {
                char discard[65536];
                const ssize_t got = ::read(source.drain->get(), discard, sizeof discard);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                    source.drain->reset();
                break;
            }
            }
        }
        std::erase_if(m_drains, [](const UniqueFd &fd) { return !fd.valid(); });
        if (reap)
            reapChildren();
        if (accept)
            acceptConnection();
        if (connEvents & POLLOUT)
            flushConnection();
        if (connEvents & (POLLIN | POLLHUP | POLLERR))
            readConnection();
        expireDeadlines();
        if (m_pendingPause && monotonicMs() >= m_pendingPause->nextCheckAt)
            checkPause(false);
    }
}

int Daemon::pollTimeout() const
{
    int64_t next = -1;
    for (const auto &job : m_jobs) {
        if (job->deadline() >= 0 && (next < 0 || job->deadline() < next))
            next = job->deadline();
    }
    if (m_pendingPause && (next < 0 || m_pendingPause->nextCheckAt < next))
        next = m_pendingPause->nextCheckAt;
    if (next < 0)
        return -1;
    return static_cast<int>(std::clamp<int64_t>(next - monotonicMs(), 0, 60000));
}

void Daemon::acceptConnection()
{
    for (;;) {
        const int fd = ::accept4(m_listen.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        // One controller at a time: the newest wins (a restarted server replaces a stale one).
        closeConnection();
        m_conn.reset(fd);
        ++m_generation;
    }
}

void Daemon::closeConnection()
{
    m_conn.reset();
    m_in.clear();
    m_out.clear();
    ++m_generation; // replies to the old connection's requests are dropped
}

void Daemon::readConnection()
{
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(m_conn.get(), buffer, sizeof buffer);
        if (n > 0) {
            m_in.append(buffer, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        closeConnection();
        return;
    }
    size_t start = 0;
    for (size_t nl; (nl = m_in.find('\n', start)) != std::string::npos; start = nl + 1) {
        handleLine(m_in.substr(start, nl - start));
        if (!m_conn.valid())
            return;
    }
    m_in.erase(0, start);
    if (m_in.size() > kMaxRequestBytes)
        closeConnection();
}

void Daemon::flushConnection()
{
    while (m_conn.valid() && !m_out.empty()) {
        const ssize_t n = ::send(m_conn.get(), m_out.data(), m_out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            m_out.erase(0, static_cast<size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        closeConnection();
    }
}

void Daemon::reply(uint64_t generation, json message)
{
    if (!m_conn.valid() || generation != m_generation)
        return;
    m_out += dumpLine(message);
    flushConnection();
}

void Daemon::replyError(const json &id, const std::string &error)
{
    reply(m_generation, {{"id", id}, {"ok", false}, {"error", error}});
}

void Daemon::handleLine(const std::string &line)
{
    if (line.empty())
        return;
    const json request = json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) {
        replyError(nullptr, "malformed request");
        return;
    }
    handleRequest(request);
}

void Daemon::handleRequest(const json &request)
{
    const json id = request.contains("id") ? request["id"] : json();
    const auto op = request.find("op");
    if (op == request.end() || !op->is_string())
        return replyError(id, "missing op");
    const std::string &name = op->get_ref<const std::string &>();
    if (name == "hello")
        return reply(m_generation,
                     {{"id", id}, {"ok", true}, {"version", kProtocolVersion}, {"paused", m_paused}});
    if (name == "exec")
        return startExec(id, request);
    if (name == "pause")
        return pause(id, request);
    if (name == "resume")
        return resume(id, request);
    replyError(id, "unknown op: " + name);
}

void Daemon::startExec(const json &id, const json &request)
{
    if (m_paused)
        return replyError(id, "sandbox is paused");
    ExecParams params;
    const auto argv = request.find("argv");
    if (argv == request.end() || !argv->is_array() || argv->empty())
        return replyError(id, "exec: argv must be a non-empty array of strings");
    for (const json &arg : *argv) {
        if (!arg.is_string())
            return replyError(id, "exec: argv must be a non-empty array of strings");
        params.argv.push_back(arg.get<std::string>());
    }
    std::map<std::string, std::string> env;
    for (const std::string &entry : m_baseEnv) {
        const size_t eq = entry.find('=');
        if (eq != std::string::npos)
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    if (const auto extra = request.find("env"); extra != request.end() && extra->is_object()) {
        for (const auto &[key, value] : extra->items()) {
            if (!value.is_string() || key.empty() || key.find('=') != std::string::npos)
                return replyError(id, "exec: env must map names to strings");
            env[key] = value.get<std::string>();
        }
    }
    for (const auto &[key, value] : env)
        params.env.push_back(key + "=" + value);
    if (const auto cwd = request.find("cwd"); cwd != request.end() && cwd->is_string())
        params.cwd = cwd->get<std::string>();
    if (const auto t = request.find("timeoutMs"); t != request.end() && t->is_number_integer())
        params.timeoutMs = std::max<int64_t>(t->get<int64_t>(), 1);
    if (const auto m = request.find("maxOutputBytes"); m != request.end() && m->is_number_integer())
        params.maxOutputBytes = static_cast<size_t>(std::max<int64_t>(m->get<int64_t>(), 0));

    auto job = std::make_unique<ExecJob>(id, m_generation, std::move(params));
    job->start(m_cgroup, m_devNull.get());
    if (job->finished())
        return reply(m_generation, {{"id", id}, {"ok", true}, {"result", job->result()}});
    m_jobs.push_back(std::move(job));
}

void Daemon::reapChildren()
{
    signalfd_siginfo info;
    while (::read(m_signalFd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    }
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        const auto it =
            std::find_if(m_jobs.begin(), m_jobs.end(), [pid](const auto &job) { return job->pid() == pid; });
        if (it == m_jobs.end())
            continue;
        ExecJob &job = **it;
        job.exited(status);
        reply(job.generation(), {{"id", job.requestId()}, {"ok", true}, {"result", job.result()}});
        for (OutputStream *stream : {&job.out(), &job.err()}) {
            if (stream->fd.valid())
                m_drains.push_back(std::move(stream->fd));
        }
        m_jobs.erase(it);
    }
}

void Daemon::expireDeadlines()
{
    const int64_t now = monotonicMs();
    for (auto &job : m_jobs) {
        if (job->deadline() >= 0 && job->deadline() <= now)
            job->killForTimeout();
    }
}

void Daemon::pause(const json &id, const json &request)
{
    const bool signals = request.value("signals", false);
    if (m_pendingPause)
        return replyError(id, "a pause is already in progress");
    if (!m_paused) {
        m_paused = true;
        const int64_t now = monotonicMs();
        for (auto &job : m_jobs)
            job->suspendDeadline(now);
    }
    if (!signals)
        return reply(m_generation, {{"id", id}, {"ok", true}, {"stopped", 0}});
    signalSandbox(SIGSTOP);
    const int64_t now = monotonicMs();
    m_pendingPause = PendingPause{id, m_generation, now + kPauseGiveUpMs, now};
    checkPause(false);
}

void Daemon::checkPause(bool final)
{
    const StopCheck check = checkStopped();
    if (check.runningPid == 0) {
        const PendingPause done = *m_pendingPause;
        m_pendingPause.reset();
        return reply(done.generation, {{"id", done.id}, {"ok", true}, {"stopped", check.stopped}});
    }
    const int64_t now = monotonicMs();
    if (final || now >= m_pendingPause->giveUpAt) {
        // Undo the partial stop so the sandbox is in a consistent, running state.
        const PendingPause failed = *m_pendingPause;
        m_pendingPause.reset();
        signalSandbox(SIGCONT);
        m_paused = false;
        for (auto &job : m_jobs)
            job->resumeDeadline(now);
        return reply(failed.generation, {{"id", failed.id},
                                         {"ok", false},
                                         {"error", "process " + std::to_string(check.runningPid) +
                                                       " did not stop (state " + check.runningState + ")"}});
    }
    // Stopping is asynchronous (a process in uninterruptible sleep stops when it returns to user
    // space): look again shortly, repeating the signal in case a new process slipped in.
    signalSandbox(SIGSTOP);
    m_pendingPause->nextCheckAt = now + 1;
}

void Daemon::resume(const json &id, const json &request)
{
    if (m_pendingPause) {
        const PendingPause cancelled = *m_pendingPause;
        m_pendingPause.reset();
        reply(cancelled.generation, {{"id", cancelled.id}, {"ok", false}, {"error", "resumed"}});
    }
    if (request.value("signals", false))
        signalSandbox(SIGCONT);
    if (m_paused) {
        m_paused = false;
        const int64_t now = monotonicMs();
        for (auto &job : m_jobs)
            job->resumeDeadline(now);
    }
    reply(m_generation, {{"id", id}, {"ok", true}});
}

} // namespace banata::sandboxd
